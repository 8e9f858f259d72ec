package io.numpywren.scheduler;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FetchedBlock;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.storage.StoredBlock;

import java.nio.ByteBuffer;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * A store whose writes first ask {@code check} (which throws once the driver is cancelled), so a
 * long import stops at its next block; reads and deletes always pass, so it can clean up.
 */
final class WritesUntilCancelled extends ForwardingBlockStore {
    private final Consumer<String> check;

    WritesUntilCancelled(BlockStore delegate, Consumer<String> check) {
        super(delegate);
        this.check = check;
    }

    @Override
    public void put(String key, ByteBuffer bytes) {
        check.accept("writing block " + key);
        super.put(key, bytes);
    }

    @Override
    public void replace(String key, ByteBuffer bytes) {
        check.accept("writing block " + key);
        super.replace(key, bytes);
    }

    @Override
    public StoredBlock putBlock(String key, Block block, DType dtype) {
        check.accept("writing block " + key);
        return delegate().putBlock(key, block, dtype);
    }

    @Override
    public StoredBlock putGivenBlock(String key, Block block, DType dtype) {
        check.accept("writing block " + key);
        return delegate().putGivenBlock(key, block, dtype);
    }

    @Override
    public int deletePrefix(String prefix) {
        return delegate().deletePrefix(prefix); // an object store deletes in batches
    }

    @Override
    public FetchedBlock getBlock(String key, IntFunction<double[]> allocator) {
        return delegate().getBlock(key, allocator); // a store that keeps blocks decoded hands them out as they are
    }
}

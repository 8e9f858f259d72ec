package io.numpywren.storage;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntFunction;

/**
 * A store in the heap: the hot path of the local backend. It keeps the buffers it is given and
 * hands out read-only views of them, and it keeps float64 blocks given to {@link #putBlock}
 * decoded and hands them to {@link #getBlock} as they are, so a worker in this process reads
 * and writes blocks without encoding, copying or checksumming them. Only a byte-level
 * {@link #get} of such a block encodes it.
 */
public final class InMemoryBlockStore implements BlockStore {
    private final ConcurrentSkipListMap<String, Entry> objects = new ConcurrentSkipListMap<>();
    private final String name;

    /** What one key holds: bytes as given, or a block kept decoded. */
    private sealed interface Entry permits Bytes, Decoded {
        long size();
    }

    private record Bytes(ByteBuffer buffer) implements Entry {
        @Override
        public long size() {
            return buffer.remaining();
        }
    }

    private record Decoded(Block block, long size, boolean finite) implements Entry {
    }

    public InMemoryBlockStore() {
        this("memory");
    }

    public InMemoryBlockStore(String name) {
        this.name = name;
    }

    @Override
    public void put(String key, ByteBuffer bytes) {
        BlockKeys.validate(key);
        // slice() fixes the view to [position, limit) so later changes to the caller's
        // position or limit cannot change what is stored.
        objects.put(key, new Bytes(bytes.slice().asReadOnlyBuffer()));
    }

    @Override
    public StoredBlock putBlock(String key, Block block, DType dtype) {
        if (dtype != DType.FLOAT64) {
            // Narrower types round their values: keep the encoding, which holds them rounded.
            return BlockStore.super.putBlock(key, block, dtype);
        }
        BlockKeys.validate(key);
        // One scan here spares every task that reads the block its own.
        Decoded entry = new Decoded(block, BlockCodec.encodedBytes(block, dtype), block.firstNonFinite() == null);
        objects.put(key, entry);
        return new StoredBlock(BlockCodec.float64Checksum(block), entry.size(), true);
    }

    @Override
    public ByteBuffer get(String key) {
        Entry entry = entry(key);
        if (entry instanceof Decoded decoded) {
            return BlockCodec.encode(decoded.block()).asReadOnlyBuffer();
        }
        return ((Bytes) entry).buffer().duplicate();
    }

    @Override
    public FetchedBlock getBlock(String key, IntFunction<double[]> allocator) {
        if (entry(key) instanceof Decoded decoded) {
            return new FetchedBlock(decoded.block(), DType.FLOAT64, decoded.size(), true, decoded.finite());
        }
        return BlockStore.super.getBlock(key, allocator);
    }

    private Entry entry(String key) {
        BlockKeys.validate(key);
        Entry entry = objects.get(key);
        if (entry == null) {
            throw new BlockNotFoundException(key, description());
        }
        return entry;
    }

    @Override
    public boolean exists(String key) {
        BlockKeys.validate(key);
        return objects.containsKey(key);
    }

    @Override
    public boolean delete(String key) {
        BlockKeys.validate(key);
        return objects.remove(key) != null;
    }

    @Override
    public List<String> list(String prefix) {
        BlockKeys.validatePrefix(prefix);
        ConcurrentNavigableMap<String, Entry> range = prefix.isEmpty()
                ? objects
                : objects.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
        return new ArrayList<>(range.keySet());
    }

    /** Total bytes held (a decoded block counts as its encoding), for tests and reports of intermediate storage. */
    public long totalBytes() {
        long total = 0;
        for (Entry e : objects.values()) {
            total += e.size();
        }
        return total;
    }

    @Override
    public String description() {
        return "in-memory store '" + name + "'";
    }
}

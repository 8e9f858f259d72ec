package io.numpywren.storage;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockArrayPool;
import io.numpywren.matrix.DType;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * A store in the heap: the hot path of the local backend. It keeps the buffers it is given and
 * hands out read-only views of them, and it keeps float64 blocks given to {@link #putBlock}
 * decoded and hands them to {@link #getBlock} as they are, so a worker in this process reads
 * and writes blocks without encoding, copying or checksumming them. Only a byte-level
 * {@link #get} of such a block encodes it.
 *
 * <p>A block given up with {@link #putGivenBlock} goes back to {@link BlockArrayPool#shared()}
 * once its key is deleted or replaced and every reader has released it: an intermediate's array
 * then serves a later task's output instead of the heap growing by a fresh one per task. A
 * reader that never releases (or a speculative copy still reading) only keeps it from that.
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

    /** A decoded block, with the count of readers that may still be using its array. */
    private static final class Decoded implements Entry {
        final Block block;
        final long size;
        final boolean finite;
        /** Whether the array was given up by its writer, and so may go to the pool. */
        final boolean recyclable;
        private int readers;
        private boolean removed;

        Decoded(Block block, long size, boolean finite, boolean recyclable) {
            this.block = block;
            this.size = size;
            this.finite = finite;
            // The pool keeps no small arrays, so their readers need not be counted either.
            this.recyclable = recyclable && block.data().length >= BlockArrayPool.MIN_LENGTH;
        }

        @Override
        public long size() {
            return size;
        }

        /** Counts one more reader, unless the entry left the map (then the caller looks again). */
        synchronized boolean acquire() {
            if (removed) {
                return false;
            }
            readers++;
            return true;
        }

        synchronized void release() {
            readers--;
            recycleIfUnused();
        }

        /** Called once the entry is no longer in the map (deleted or replaced). */
        synchronized void removed() {
            removed = true;
            recycleIfUnused();
        }

        private void recycleIfUnused() {
            if (removed && readers == 0 && recyclable) {
                BlockArrayPool.shared().give(block.data());
            }
        }

        /** A release that counts once however often it is called. */
        Runnable releaseOnce() {
            AtomicBoolean done = new AtomicBoolean();
            return () -> {
                if (done.compareAndSet(false, true)) {
                    release();
                }
            };
        }
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
        create(key, new Bytes(bytes.slice().asReadOnlyBuffer()));
    }

    @Override
    public void replace(String key, ByteBuffer bytes) {
        BlockKeys.validate(key);
        replace(key, new Bytes(bytes.slice().asReadOnlyBuffer()));
    }

    @Override
    public StoredBlock putBlock(String key, Block block, DType dtype) {
        return putBlock(key, block, dtype, false);
    }

    @Override
    public StoredBlock putGivenBlock(String key, Block block, DType dtype) {
        return putBlock(key, block, dtype, true);
    }

    private StoredBlock putBlock(String key, Block block, DType dtype, boolean given) {
        if (dtype != DType.FLOAT64) {
            // Narrower types round their values: keep the encoding, which holds them rounded.
            return BlockStore.super.putBlock(key, block, dtype);
        }
        BlockKeys.validate(key);
        // One scan here (fused with the checksum's) spares every task that reads the block its own.
        BlockCodec.Float64Digest digest = BlockCodec.float64Digest(block);
        Decoded entry = new Decoded(block, BlockCodec.encodedBytes(block, dtype), digest.finite(), given);
        create(key, entry);
        return new StoredBlock(digest.checksum(), entry.size(), true);
    }

    private void create(String key, Entry entry) {
        if (objects.putIfAbsent(key, entry) != null) {
            throw new BlockExistsException(key, description());
        }
    }

    private void replace(String key, Entry entry) {
        if (objects.put(key, entry) instanceof Decoded old) {
            old.removed();
        }
    }

    @Override
    public ByteBuffer get(String key) {
        while (true) {
            Entry entry = entry(key);
            if (entry instanceof Bytes bytes) {
                return bytes.buffer().duplicate();
            }
            Decoded decoded = (Decoded) entry;
            if (decoded.acquire()) {
                try {
                    return BlockCodec.encode(decoded.block).asReadOnlyBuffer();
                } finally {
                    decoded.release();
                }
            }
        }
    }

    @Override
    public FetchedBlock getBlock(String key, IntFunction<double[]> allocator) {
        while (true) {
            Entry entry = entry(key);
            if (entry instanceof Bytes) {
                return BlockStore.super.getBlock(key, allocator);
            }
            Decoded decoded = (Decoded) entry;
            if (!decoded.recyclable) {
                // Never recycled, so its readers need not be counted: the per-task path of small blocks.
                return new FetchedBlock(decoded.block, DType.FLOAT64, decoded.size, true, decoded.finite);
            }
            // Not acquired: it was deleted or replaced after the lookup, so look again.
            if (decoded.acquire()) {
                return new FetchedBlock(decoded.block, DType.FLOAT64, decoded.size, true, decoded.finite,
                        decoded.releaseOnce());
            }
        }
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
        Entry removed = objects.remove(key);
        if (removed instanceof Decoded decoded) {
            decoded.removed();
        }
        return removed != null;
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
    public java.util.OptionalLong capacityBytes() {
        Runtime runtime = Runtime.getRuntime();
        return java.util.OptionalLong.of(runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory()));
    }

    @Override
    public String description() {
        return "in-memory store '" + name + "'";
    }
}

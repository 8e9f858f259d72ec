package io.numpywren.storage;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Where blocks live: a flat key space of immutable byte objects, as in an object store.
 *
 * <p>Contract every implementation keeps (and the store tests check):
 * <ul>
 *   <li>{@link #put} is atomic: a concurrent reader sees either no object or the whole new
 *       one, never a part of it;</li>
 *   <li>blocks are written once: {@link #put} never replaces an existing object (of concurrent
 *       puts of one key exactly one succeeds, the others get {@link BlockExistsException}), and
 *       only {@link #replace}, asked for by name, does;</li>
 *   <li>keys are validated with {@link BlockKeys#validate} before any I/O, so no key escapes
 *       the store's root;</li>
 *   <li>{@link #get} of a missing key throws {@link BlockNotFoundException} naming the key.</li>
 * </ul>
 */
public interface BlockStore extends AutoCloseable {

    /**
     * Stores {@code bytes} (from its position to its limit) under {@code key}, which must be
     * free: the check and the write are one atomic step (a conditional write on an object
     * store). The store may keep the buffer itself instead of a copy, so the caller must not
     * modify it afterwards.
     *
     * @throws BlockExistsException when an object exists under {@code key}; it stays as it was
     */
    void put(String key, ByteBuffer bytes);

    /**
     * {@link #put}, where an object already holding exactly these bytes counts as this write: an
     * object store's client retries a conditional write whose answer was lost, and the retry then
     * finds the object the first attempt wrote. For the driver's own writes (imports, headers);
     * an object with other bytes is still a {@link BlockExistsException}.
     */
    default void putIdempotently(String key, ByteBuffer bytes) {
        ByteBuffer mine = bytes.duplicate();
        try {
            put(key, bytes);
        } catch (BlockExistsException e) {
            ByteBuffer there;
            try {
                there = get(key);
            } catch (BlockNotFoundException removedMeanwhile) {
                throw e;
            }
            if (!there.equals(mine)) {
                throw e;
            }
        }
    }

    /**
     * {@link #put} that replaces an existing object atomically instead of refusing: for a caller
     * that means to overwrite, never for task outputs or imports.
     */
    void replace(String key, ByteBuffer bytes);

    /** The bytes under {@code key} as a read-only buffer. */
    ByteBuffer get(String key);

    /**
     * Stores {@code block} as {@link #put} of its encoding in {@code dtype} would. A store in
     * this process may keep the block itself instead (then {@link StoredBlock#kept()}), so
     * nothing is encoded or copied: the caller must not modify the block afterwards.
     */
    default StoredBlock putBlock(String key, Block block, DType dtype) {
        ByteBuffer encoded = BlockCodec.encode(block, dtype);
        int checksum = BlockCodec.header(key, encoded).checksum();
        long size = encoded.remaining();
        put(key, encoded);
        return new StoredBlock(checksum, size, false);
    }

    /**
     * {@link #putBlock} for a caller that gives {@code block} up: it will neither read nor
     * modify it again, and nothing else refers to its array. A store that keeps blocks as given
     * may then recycle the array once the key is deleted or replaced and every reader of it has
     * {@linkplain FetchedBlock#release() released} it.
     */
    default StoredBlock putGivenBlock(String key, Block block, DType dtype) {
        return putBlock(key, block, dtype);
    }

    /**
     * Reads and verifies the block under {@code key}, decoding it into an array from
     * {@code allocator} (given the number of values). A store that kept the block decoded
     * returns that block itself, marked {@link FetchedBlock#shared()}; a reader that calls
     * {@link FetchedBlock#release()} when done lets the store recycle its array later, one that
     * does not keeps it from ever being recycled.
     *
     * @throws io.numpywren.codec.CorruptBlockException when the stored bytes do not verify
     */
    default FetchedBlock getBlock(String key, IntFunction<double[]> allocator) {
        ByteBuffer bytes = get(key);
        DType dtype = BlockCodec.header(key, bytes).dtype();
        return new FetchedBlock(BlockCodec.decode(key, bytes, allocator), dtype, bytes.remaining(), false, false);
    }

    boolean exists(String key);

    /** Deletes the object; returns whether it existed. */
    boolean delete(String key);

    /** Keys that start with {@code prefix}, in lexicographic order. */
    List<String> list(String prefix);

    /**
     * Deletes the objects under {@code keys}; absent ones are skipped. An object store deletes them
     * in batches (S3: up to 1,000 keys a request); this default deletes them one by one.
     */
    default void deleteAll(java.util.Collection<String> keys) {
        for (String key : keys) {
            BlockKeys.validate(key); // every key checked before anything is deleted
        }
        for (String key : keys) {
            delete(key);
        }
    }

    /**
     * Removes what writes that never finished left directly under {@code prefix} (which ends in
     * '/'), where the store keeps any: the file store's temporary file of a writer that was killed
     * before it renamed it. {@link #list} never shows those. An object store keeps none (a PUT is
     * all or nothing), so by default there is nothing to do. Call it only once nothing writes there.
     */
    default void deleteUnfinishedWrites(String prefix) {
    }

    /** Deletes every object whose key starts with {@code prefix}; returns how many. */
    default int deletePrefix(String prefix) {
        int n = 0;
        for (String key : list(prefix)) {
            if (delete(key)) {
                n++;
            }
        }
        return n;
    }

    /** A short human description (kind and location), for reports and errors. */
    String description();

    /**
     * Bytes this store can still take, as well as it can tell (free heap for a store in memory, free
     * space for one on a file system), or empty for a store without a practical limit (an object
     * store). Entry points refuse work that cannot fit before they allocate anything.
     */
    default java.util.OptionalLong capacityBytes() {
        return java.util.OptionalLong.empty();
    }

    @Override
    default void close() {
    }
}

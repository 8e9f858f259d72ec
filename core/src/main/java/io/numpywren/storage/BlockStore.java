package io.numpywren.storage;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Where blocks live: a flat key space of immutable byte objects, as in an object store.
 *
 * <p>Contract every implementation keeps (and the store tests check):
 * <ul>
 *   <li>{@link #put} is atomic: a concurrent reader sees either no object or the whole new
 *       one, never a part of it;</li>
 *   <li>keys are validated with {@link BlockKeys#validate} before any I/O, so no key escapes
 *       the store's root;</li>
 *   <li>{@link #get} of a missing key throws {@link BlockNotFoundException} naming the key.</li>
 * </ul>
 */
public interface BlockStore extends AutoCloseable {

    /**
     * Stores {@code bytes} (from its position to its limit) under {@code key}, replacing any
     * previous object atomically. The store may keep the buffer itself instead of a copy, so
     * the caller must not modify it afterwards.
     */
    void put(String key, ByteBuffer bytes);

    /** The bytes under {@code key} as a read-only buffer. */
    ByteBuffer get(String key);

    boolean exists(String key);

    /** Deletes the object; returns whether it existed. */
    boolean delete(String key);

    /** Keys that start with {@code prefix}, in lexicographic order. */
    List<String> list(String prefix);

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

    @Override
    default void close() {
    }
}

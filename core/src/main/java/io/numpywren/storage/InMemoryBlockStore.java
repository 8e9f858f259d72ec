package io.numpywren.storage;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A store in the heap. It keeps the buffers it is given and hands out read-only views of them,
 * so a put or a get copies nothing: the hot path of the local backend.
 */
public final class InMemoryBlockStore implements BlockStore {
    private final ConcurrentSkipListMap<String, ByteBuffer> objects = new ConcurrentSkipListMap<>();
    private final String name;

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
        objects.put(key, bytes.slice().asReadOnlyBuffer());
    }

    @Override
    public ByteBuffer get(String key) {
        BlockKeys.validate(key);
        ByteBuffer stored = objects.get(key);
        if (stored == null) {
            throw new BlockNotFoundException(key, description());
        }
        return stored.duplicate();
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
        ConcurrentNavigableMap<String, ByteBuffer> range = prefix.isEmpty()
                ? objects
                : objects.subMap(prefix, true, prefix + Character.MAX_VALUE, false);
        return new ArrayList<>(range.keySet());
    }

    /** Total bytes held, for tests and reports of intermediate storage. */
    public long totalBytes() {
        long total = 0;
        for (ByteBuffer b : objects.values()) {
            total += b.remaining();
        }
        return total;
    }

    @Override
    public String description() {
        return "in-memory store '" + name + "'";
    }
}

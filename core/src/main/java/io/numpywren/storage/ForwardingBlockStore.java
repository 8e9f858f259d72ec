package io.numpywren.storage;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A store that passes every call to another. Subclass it to observe or alter one operation:
 * count requests, inject throttling or corruption, delay reads.
 */
public class ForwardingBlockStore implements BlockStore {
    private final BlockStore delegate;

    public ForwardingBlockStore(BlockStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    protected BlockStore delegate() {
        return delegate;
    }

    @Override
    public void put(String key, ByteBuffer bytes) {
        delegate.put(key, bytes);
    }

    @Override
    public void replace(String key, ByteBuffer bytes) {
        delegate.replace(key, bytes);
    }

    @Override
    public ByteBuffer get(String key) {
        return delegate.get(key);
    }

    @Override
    public boolean exists(String key) {
        return delegate.exists(key);
    }

    @Override
    public boolean delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public void deleteUnfinishedWrites(String prefix) {
        delegate.deleteUnfinishedWrites(prefix);
    }

    @Override
    public void deleteAll(java.util.Collection<String> keys) {
        delegate.deleteAll(keys); // an object store deletes in batches
    }

    @Override
    public List<String> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public java.util.OptionalLong capacityBytes() {
        return delegate.capacityBytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}

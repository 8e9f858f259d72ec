package io.numpywren.storage;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Wraps a store and, for keys that match, throttles (a put or get fails with a transient
 * "503 SlowDown", as S3 does) or corrupts a read in transit (one byte of the returned copy is
 * flipped; the stored object stays intact), at given rates from a seed.
 */
public final class FaultInjectingBlockStore extends ForwardingBlockStore {
    private final double throttleRate;
    private final double corruptReadRate;
    private final Predicate<String> affected;
    private final SplittableRandom random;
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong corrupted = new AtomicLong();

    public FaultInjectingBlockStore(BlockStore delegate, double throttleRate, double corruptReadRate,
                                    Predicate<String> affected, long seed) {
        super(delegate);
        this.throttleRate = throttleRate;
        this.corruptReadRate = corruptReadRate;
        this.affected = affected;
        this.random = new SplittableRandom(seed);
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    private void maybeThrottle(String op, String key) {
        if (affected.test(key) && draw() < throttleRate) {
            throttled.incrementAndGet();
            throw new StoreException("503 SlowDown (injected) on " + op + " of '" + key + "'");
        }
    }

    @Override
    public void put(String key, ByteBuffer bytes) {
        maybeThrottle("put", key);
        super.put(key, bytes);
    }

    @Override
    public void replace(String key, ByteBuffer bytes) {
        maybeThrottle("put", key);
        super.replace(key, bytes);
    }

    @Override
    public ByteBuffer get(String key) {
        maybeThrottle("get", key);
        ByteBuffer stored = super.get(key);
        if (affected.test(key) && stored.remaining() > 0 && draw() < corruptReadRate) {
            corrupted.incrementAndGet();
            ByteBuffer copy = ByteBuffer.allocate(stored.remaining());
            copy.put(stored.duplicate()).flip();
            int at = copy.limit() - 1;
            copy.put(at, (byte) (copy.get(at) ^ 0x5A));
            return copy.asReadOnlyBuffer();
        }
        return stored;
    }

    public long throttledCount() {
        return throttled.get();
    }

    public long corruptedCount() {
        return corrupted.get();
    }
}

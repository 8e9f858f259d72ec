package io.numpywren.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * What a backend can do: the scheduler keeps at most {@code maxConcurrency} tasks in flight,
 * sizes leases below {@code maxTaskDuration}, and never sends a spec over
 * {@code maxRequestBytes}; planners size tasks so that the blocks one holds fit in
 * {@code workerMemoryBytes}, the memory one worker has.
 */
public record BackendCapabilities(int maxConcurrency, Duration maxTaskDuration, long maxRequestBytes,
                                  boolean canCancel, long workerMemoryBytes) {
    public BackendCapabilities {
        if (maxConcurrency < 1) {
            throw new IllegalArgumentException("maxConcurrency must be at least 1, got " + maxConcurrency);
        }
        Objects.requireNonNull(maxTaskDuration, "maxTaskDuration");
        if (maxTaskDuration.isNegative() || maxTaskDuration.isZero()) {
            throw new IllegalArgumentException("maxTaskDuration must be positive, got " + maxTaskDuration);
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be positive, got " + maxRequestBytes);
        }
        if (workerMemoryBytes < 1) {
            throw new IllegalArgumentException("workerMemoryBytes must be positive, got " + workerMemoryBytes);
        }
    }
}

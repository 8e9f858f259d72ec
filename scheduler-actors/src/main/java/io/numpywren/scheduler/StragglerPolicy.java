package io.numpywren.scheduler;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides when a running task is a straggler worth a speculative copy: when it has run longer
 * than {@code factor} times the median time of its kernel's recent tasks (and at least
 * {@code minimumNanos}), once enough of them have finished to know what is typical.
 */
public final class StragglerPolicy {
    private static final int WINDOW = 64;
    private static final int MIN_SAMPLES = 5;

    private final boolean enabled;
    private final double factor;
    private final long minimumNanos;
    private final Map<String, ArrayDeque<Long>> recent = new HashMap<>();
    /** Median per kernel, recomputed only when its window changed: leases ask for it on every dispatch. */
    private final Map<String, Long> medians = new HashMap<>();

    public StragglerPolicy(boolean enabled, double factor, long minimumNanos) {
        if (factor <= 1.0) {
            throw new IllegalArgumentException("straggler factor must exceed 1, got " + factor);
        }
        this.enabled = enabled;
        this.factor = factor;
        this.minimumNanos = minimumNanos;
    }

    /** Records how long a task of {@code kernel} took. */
    public void finished(String kernel, long nanos) {
        ArrayDeque<Long> window = recent.computeIfAbsent(kernel, k -> new ArrayDeque<>());
        if (window.size() == WINDOW) {
            window.removeFirst();
        }
        window.addLast(nanos);
        medians.remove(kernel);
    }

    /** The median recent duration of the kernel, or −1 when too few have finished. */
    public long typicalNanos(String kernel) {
        ArrayDeque<Long> window = recent.get(kernel);
        if (window == null || window.size() < MIN_SAMPLES) {
            return -1;
        }
        return medians.computeIfAbsent(kernel, k -> {
            long[] sorted = window.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            return sorted[sorted.length / 2];
        });
    }

    /** Whether a task of {@code kernel} running for {@code runningNanos} deserves a copy. */
    public boolean isStraggler(String kernel, long runningNanos) {
        if (!enabled || runningNanos < minimumNanos) {
            return false;
        }
        long typical = typicalNanos(kernel);
        return typical >= 0 && runningNanos > factor * typical;
    }
}

package io.numpywren.scheduler;

import java.time.Duration;

/**
 * What to do about transient failures: retry with exponential backoff up to a budget of
 * attempts. (When to run tasks is the frontier's business; this only says whether and when
 * to try again.)
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new IllegalArgumentException("backoffs must not be negative");
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1, got " + multiplier);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(6, Duration.ofMillis(100), 2.0, Duration.ofSeconds(10));
    }

    /** Whether a task that has made {@code attempts} attempts may make another. */
    public boolean mayRetry(int attempts) {
        return attempts < maxAttempts;
    }

    /** The wait before attempt {@code attempts + 1}: initial · multiplier^(attempts−1), capped. */
    public Duration backoff(int attempts) {
        double nanos = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempts - 1));
        return nanos >= maxBackoff.toNanos() ? maxBackoff : Duration.ofNanos((long) nanos);
    }
}

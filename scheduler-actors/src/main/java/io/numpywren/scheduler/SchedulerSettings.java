package io.numpywren.scheduler;

import com.typesafe.config.Config;

import java.time.Duration;

/**
 * The scheduler's knobs, read from the {@code numpywren.scheduler} section of the
 * configuration (see reference.conf for the defaults and what each one means).
 */
public record SchedulerSettings(int concurrency, Duration initialLease, Duration minimumLease, double leaseFactor,
                                double assumedGflops,
                                RetryPolicy retry, boolean speculation, double stragglerFactor,
                                Duration stragglerMinimum, int pipelineWidth, Duration tick,
                                Duration progressInterval, Duration drainTimeout, Duration lateWriteHorizon,
                                boolean trace) {

    public static SchedulerSettings from(Config root) {
        Config c = root.getConfig("numpywren.scheduler");
        return new SchedulerSettings(
                c.getInt("concurrency"),
                c.getDuration("lease.initial"),
                c.getDuration("lease.minimum"),
                c.getDouble("lease.factor"),
                c.getDouble("lease.assumed-gflops"),
                new RetryPolicy(c.getInt("retry.max-attempts"), c.getDuration("retry.initial-backoff"),
                        c.getDouble("retry.multiplier"), c.getDuration("retry.max-backoff")),
                c.getBoolean("speculation.enabled"),
                c.getDouble("speculation.factor"),
                c.getDuration("speculation.minimum-runtime"),
                c.getInt("provisioner.pipeline-width"),
                c.getDuration("tick"),
                c.getDuration("progress-interval"),
                c.getDuration("drain-timeout"),
                c.getDuration("late-write-horizon"),
                c.getBoolean("trace"));
    }

    public static SchedulerSettings defaults() {
        return from(com.typesafe.config.ConfigFactory.defaultReference());
    }
}

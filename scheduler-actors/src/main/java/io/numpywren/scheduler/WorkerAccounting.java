package io.numpywren.scheduler;

/**
 * Worker-seconds allocated (the integral over time of the workers the provisioner keeps)
 * and busy (the sum of task run times), and the same allocation for a fixed pool of the
 * maximum size, so reports can set the elastic figure beside the fixed one.
 */
public final class WorkerAccounting {
    private final int fixedPoolWorkers;
    private long lastNanos;
    private int allocated;
    private double allocatedSeconds;
    private double busySeconds;
    private double startNanos = Double.NaN;

    public WorkerAccounting(int fixedPoolWorkers) {
        this.fixedPoolWorkers = fixedPoolWorkers;
    }

    /** Advances the clock to {@code now} and sets the allocation from then on. */
    public void allocate(long now, int workers) {
        if (Double.isNaN(startNanos)) {
            startNanos = now;
        } else {
            allocatedSeconds += allocated * (now - lastNanos) / 1e9;
        }
        lastNanos = now;
        allocated = workers;
    }

    public void busy(double seconds) {
        busySeconds += seconds;
    }

    public int allocatedWorkers() {
        return allocated;
    }

    public double allocatedSeconds() {
        return allocatedSeconds;
    }

    public double busySeconds() {
        return busySeconds;
    }

    /** What a fixed pool of the maximum size would have allocated over the same time. */
    public double fixedPoolSeconds(long now) {
        return Double.isNaN(startNanos) ? 0 : fixedPoolWorkers * (now - startNanos) / 1e9;
    }
}

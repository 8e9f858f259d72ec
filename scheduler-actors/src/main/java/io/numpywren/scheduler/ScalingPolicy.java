package io.numpywren.scheduler;

/**
 * numpywren's provisioning policy: keep as many workers as the ready queue and the tasks in
 * flight can use, {@code target = min(max, ceil((ready + inFlight) / pipelineWidth))}, where
 * pipeline width is how many tasks one worker keeps going at once.
 */
public record ScalingPolicy(int maxWorkers, int pipelineWidth) {
    public ScalingPolicy {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1, got " + maxWorkers);
        }
        if (pipelineWidth < 1) {
            throw new IllegalArgumentException("pipelineWidth must be at least 1, got " + pipelineWidth);
        }
    }

    /** Workers wanted now. */
    public int target(int ready, int inFlight) {
        long demand = ((long) ready + inFlight + pipelineWidth - 1) / pipelineWidth;
        return (int) Math.min(maxWorkers, demand);
    }

    /** Tasks that may be in flight with {@code workers} workers. */
    public int slots(int workers) {
        return workers * pipelineWidth;
    }
}

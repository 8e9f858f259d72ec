package io.numpywren.scheduler;

/** A snapshot of a running job, sent to subscribers as it goes. */
public record JobProgress(String jobId, long tasksDone, long tasksTotal, int inFlight, int ready, long flops,
                          double elapsedSeconds, long bytesRead, long bytesWritten, long retries, long duplicates) {
    /** GFLOP/s so far. */
    public double gflops() {
        return elapsedSeconds > 0 ? flops / elapsedSeconds / 1e9 : 0;
    }

    public double fractionDone() {
        return tasksTotal == 0 ? 1 : (double) tasksDone / tasksTotal;
    }

    /** Estimated seconds left at the rate so far, or NaN before any task finished. */
    public double secondsLeft() {
        return tasksDone == 0 ? Double.NaN : elapsedSeconds * (tasksTotal - tasksDone) / tasksDone;
    }
}

package io.numpywren.scheduler;

import java.util.List;

/**
 * What a finished job did and cost. {@code wallSeconds} is the job's own time, from
 * submission to completion.
 *
 * @param retries              re-dispatches after a transient failure or an expired lease
 * @param duplicates           results that arrived after their task was already done
 * @param speculativeCopies    copies dispatched for stragglers
 * @param leaseExpiries        leases whose deadline passed before their result came
 * @param workerSecondsBusy    time workers spent running tasks
 * @param workerSecondsAllocated worker-seconds the provisioner kept (elastic)
 * @param workerSecondsFixedPool what a fixed pool of the maximum size would have kept
 * @param peakIntermediateBlocks most intermediate blocks alive at once
 * @param spans                one per task when tracing is on, else empty
 */
public record JobReport(String jobId, String algorithm, String backend, List<String> kernelProviders,
                        double wallSeconds, long tasks, long flops, long bytesRead, long bytesWritten, long retries,
                        long duplicates, long speculativeCopies, long leaseExpiries, double workerSecondsBusy,
                        double workerSecondsAllocated, double workerSecondsFixedPool, long peakIntermediateBlocks,
                        List<TaskSpan> spans) {
    public double gflops() {
        return wallSeconds > 0 ? flops / wallSeconds / 1e9 : 0;
    }

    /** One report for an algorithm run as several jobs in sequence (solve, svd). */
    public static JobReport combine(String jobId, String algorithm, List<JobReport> parts, double wallSeconds) {
        java.util.TreeSet<String> providers = new java.util.TreeSet<>();
        long tasks = 0;
        long flops = 0;
        long read = 0;
        long written = 0;
        long retries = 0;
        long duplicates = 0;
        long speculative = 0;
        long expiries = 0;
        double busy = 0;
        double allocated = 0;
        double fixed = 0;
        long peak = 0;
        List<TaskSpan> spans = new java.util.ArrayList<>();
        for (JobReport r : parts) {
            spans.addAll(r.spans());
            providers.addAll(r.kernelProviders());
            tasks += r.tasks();
            flops += r.flops();
            read += r.bytesRead();
            written += r.bytesWritten();
            retries += r.retries();
            duplicates += r.duplicates();
            speculative += r.speculativeCopies();
            expiries += r.leaseExpiries();
            busy += r.workerSecondsBusy();
            allocated += r.workerSecondsAllocated();
            fixed += r.workerSecondsFixedPool();
            peak = Math.max(peak, r.peakIntermediateBlocks());
        }
        String backend = parts.isEmpty() ? "" : parts.get(0).backend();
        return new JobReport(jobId, algorithm, backend, List.copyOf(providers), wallSeconds, tasks, flops, read, written,
                retries, duplicates, speculative, expiries, busy, allocated, fixed, peak, spans);
    }
}

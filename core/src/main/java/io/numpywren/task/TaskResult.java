package io.numpywren.task;

import java.util.List;

/**
 * What a worker reports for one task: the checksums of the blocks it wrote, what it cost, and,
 * on failure, an error classified as transient (retry) or deterministic (fail the job).
 *
 * @param readSeconds    time reading and verifying input blocks
 * @param computeSeconds time in the kernel
 * @param writeSeconds   time encoding and writing output blocks
 */
public record TaskResult(int version, String jobId, String taskId, int attempt, Status status,
                         List<WrittenBlock> outputs, long flops, long bytesRead, long bytesWritten,
                         double readSeconds, double computeSeconds, double writeSeconds, String worker,
                         String kernelProvider, TaskError error) {
    public static final int VERSION = 1;

    public TaskResult {
        outputs = outputs == null ? List.of() : List.copyOf(outputs);
    }

    public enum Status { OK, FAILED }

    /** An output block as written: its key, the CRC32C its codec header carries, its size. */
    public record WrittenBlock(String key, int checksum, long bytes) {
    }

    public boolean ok() {
        return status == Status.OK;
    }

    /** A failure for which nothing ran, e.g. a transport error or a rejected spec. */
    public static TaskResult failure(TaskSpec spec, String worker, TaskError error) {
        return new TaskResult(VERSION, spec == null ? null : spec.jobId(), spec == null ? null : spec.taskId(),
                spec == null ? 0 : spec.attempt(), Status.FAILED, List.of(), 0, 0, 0, 0, 0, 0, worker, null, error);
    }
}

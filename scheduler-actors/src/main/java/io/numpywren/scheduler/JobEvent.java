package io.numpywren.scheduler;

/** What a job tells its subscribers: progress while it runs, then exactly one outcome. */
public sealed interface JobEvent {
    String jobId();

    record Progress(JobProgress progress) implements JobEvent {
        @Override
        public String jobId() {
            return progress.jobId();
        }
    }

    /** The job succeeded; {@code outputs} are handles on its output matrices, reading the blocks that won. */
    record Succeeded(JobReport report, java.util.Map<String, io.numpywren.matrix.BlockMatrix> outputs) implements JobEvent {
        @Override
        public String jobId() {
            return report.jobId();
        }
    }

    /** The job failed or was cancelled; {@code message} names the step, task, block and cause. */
    record Failed(String jobId, String message, JobReport report) implements JobEvent {
    }
}

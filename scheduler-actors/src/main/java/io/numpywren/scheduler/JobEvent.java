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

    record Succeeded(JobReport report) implements JobEvent {
        @Override
        public String jobId() {
            return report.jobId();
        }
    }

    /** The job failed or was cancelled; {@code message} names the step, task, block and cause. */
    record Failed(String jobId, String message, JobReport report) implements JobEvent {
    }
}

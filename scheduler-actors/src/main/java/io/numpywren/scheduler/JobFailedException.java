package io.numpywren.scheduler;

/** A job that did not complete: a deterministic task error, an exhausted retry budget, or cancellation. */
public class JobFailedException extends RuntimeException {
    private final String jobId;

    public JobFailedException(String jobId, String message) {
        super(message);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}

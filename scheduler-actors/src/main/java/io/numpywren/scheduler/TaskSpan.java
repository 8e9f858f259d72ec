package io.numpywren.scheduler;

/**
 * One finished task, for traces: when the driver dispatched it and got its answer (seconds
 * since the job started), and how long the worker spent reading, computing and writing.
 */
public record TaskSpan(String taskId, String step, String kernel, String worker, int attempt, double dispatchedSeconds,
                       double answeredSeconds, double readSeconds, double computeSeconds, double writeSeconds) {
}

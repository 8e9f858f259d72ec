package io.numpywren.backend;

import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.util.concurrent.CompletionStage;

/**
 * Where tasks run: a thread pool, or a cloud's functions. A backend turns a {@link TaskSpec}
 * into an invocation and completes with the worker's {@link TaskResult}. A transport failure
 * (a dead worker, a timeout, throttling) completes normally with a transient error result, so
 * the scheduler sees every outcome the same way.
 */
public interface ComputeBackend extends AutoCloseable {

    /** The name configuration uses: {@code local}, {@code aws}, ... */
    String name();

    BackendCapabilities capabilities();

    CompletionStage<TaskResult> submit(TaskSpec spec);

    /**
     * Cancels a task that has not started, where the backend can; returns whether it did.
     * Backends without {@link BackendCapabilities#canCancel()} return false.
     */
    default boolean cancel(String jobId, String taskId) {
        return false;
    }

    /** Stops accepting tasks and releases threads and connections. */
    @Override
    void close();
}

package io.numpywren.backend.local;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskExecutor;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs tasks on a fixed pool of worker threads in this JVM, against a shared block store.
 * Each worker runs the same {@link TaskExecutor} a cloud function's handler runs.
 */
public final class LocalBackend implements ComputeBackend {
    private final int workers;
    private final ExecutorService pool;
    /** One executor per worker thread, so each result names the thread that ran it. */
    private final ThreadLocal<TaskExecutor> executor;
    private final Map<String, CompletableFuture<TaskResult>> queued = new ConcurrentHashMap<>();

    public LocalBackend(BlockStore store, LinearAlgebra la, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("the local backend needs at least one worker, got " + workers);
        }
        this.workers = workers;
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "numpywren-local-worker-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newFixedThreadPool(workers, threads);
        this.executor = ThreadLocal.withInitial(() -> new TaskExecutor(store, la, Thread.currentThread().getName()));
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(workers, Duration.ofDays(1), Long.MAX_VALUE, true);
    }

    /** Attempts of one task are distinct submissions: a speculative copy must not displace the first. */
    private static String id(TaskSpec spec) {
        return prefix(spec.jobId(), spec.taskId()) + spec.attempt();
    }

    private static String prefix(String jobId, String taskId) {
        return jobId + "/" + taskId + "#";
    }

    @Override
    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        CompletableFuture<TaskResult> result = new CompletableFuture<>();
        String id = id(spec);
        queued.put(id, result);
        try {
            pool.execute(() -> {
                if (queued.remove(id, result) && !result.isDone()) {
                    result.complete(runGuarded(spec));
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(id, result);
            result.complete(TaskResult.failure(spec, "local",
                    TaskError.transientError("transport", "the local backend is closed")));
        }
        return result;
    }

    /** Errors such as OutOfMemoryError become transient failures instead of killing the worker silently. */
    private TaskResult runGuarded(TaskSpec spec) {
        try {
            return executor.get().execute(spec);
        } catch (Error e) {
            return TaskResult.failure(spec, Thread.currentThread().getName(),
                    TaskError.transientError("worker", "worker failed: " + e));
        }
    }

    @Override
    public boolean cancel(String jobId, String taskId) {
        String prefix = prefix(jobId, taskId);
        boolean cancelled = false;
        for (String id : queued.keySet()) {
            if (id.startsWith(prefix)) {
                CompletableFuture<TaskResult> f = queued.remove(id);
                cancelled |= f != null && f.cancel(false);
            }
        }
        return cancelled;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

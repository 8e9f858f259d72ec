package io.numpywren.backend.local;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskExecutor;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks on a fixed pool of worker threads in this JVM, against a shared block store.
 * Each worker runs the same {@link TaskExecutor} a cloud function's handler runs.
 *
 * <p>Every submission completes: with the worker's result, with a transient failure when the
 * backend is closed before the task ran, or as cancelled after a successful {@link #cancel}.
 */
public final class LocalBackend implements ComputeBackend {
    private final int workers;
    private final long maxRequestBytes;
    private final ExecutorService pool;
    /** One executor per worker thread, so each result names the thread that ran it. */
    private final ThreadLocal<TaskExecutor> executor;
    /**
     * Submissions not yet started, by a sequence number: attempts of one task, and repeated
     * deliveries of one attempt, are distinct entries, so none displaces another.
     */
    private final Map<Long, Pending> queued = new ConcurrentHashMap<>();
    private final AtomicLong submissions = new AtomicLong();

    private record Pending(TaskSpec spec, CompletableFuture<TaskResult> result) {
    }

    /** Workers beyond this many per core only add threads, memory and contention. */
    public static final int MAX_WORKERS_PER_CORE = 16;

    public LocalBackend(BlockStore store, LinearAlgebra la, int workers) {
        this(store, la, workers, Long.MAX_VALUE);
    }

    /**
     * @param maxRequestBytes the largest encoded spec ({@link TaskCodec#encode(TaskSpec)}) accepted, as a
     *                        remote backend's request limit would; a larger one fails deterministically
     *                        without running. {@link Long#MAX_VALUE} for no limit.
     */
    public LocalBackend(BlockStore store, LinearAlgebra la, int workers, long maxRequestBytes) {
        if (workers < 1) {
            throw new IllegalArgumentException("the local backend needs at least one worker, got " + workers);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (workers > MAX_WORKERS_PER_CORE * cores) {
            // Each worker is a thread with its own blocks in flight: tens of thousands exhaust the JVM.
            throw new IllegalArgumentException("the local backend cannot run " + workers + " workers on " + cores
                    + " cores (at most " + MAX_WORKERS_PER_CORE * cores + ", " + MAX_WORKERS_PER_CORE
                    + " per core; one per core is fastest)");
        }
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be positive, got " + maxRequestBytes);
        }
        this.workers = workers;
        this.maxRequestBytes = maxRequestBytes;
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
        // Workers share this JVM's heap.
        return new BackendCapabilities(workers, Duration.ofDays(1), maxRequestBytes, true,
                Runtime.getRuntime().maxMemory() / workers);
    }

    @Override
    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        CompletableFuture<TaskResult> result = new CompletableFuture<>();
        if (maxRequestBytes != Long.MAX_VALUE) {
            int size = TaskCodec.encode(spec).length;
            if (size > maxRequestBytes) {
                result.complete(TaskResult.failure(spec, "local", TaskError.deterministic("malformed-spec",
                        "task " + spec.taskId() + " of job " + spec.jobId() + " rejected: its spec is " + size
                                + " bytes, more than this backend's limit of " + maxRequestBytes
                                + " bytes (maxRequestBytes)", null)));
                return result;
            }
        }
        long id = submissions.incrementAndGet();
        Pending pending = new Pending(spec, result);
        queued.put(id, pending);
        try {
            pool.execute(() -> {
                if (queued.remove(id, pending) && !result.isDone()) {
                    result.complete(runGuarded(spec));
                }
            });
        } catch (RejectedExecutionException e) {
            queued.remove(id, pending);
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
        boolean cancelled = false;
        for (Map.Entry<Long, Pending> e : queued.entrySet()) {
            Pending p = e.getValue();
            if (Objects.equals(p.spec().jobId(), jobId) && Objects.equals(p.spec().taskId(), taskId)
                    && queued.remove(e.getKey(), p)) {
                cancelled |= p.result().cancel(false);
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
        // Tasks that never started will never run: answer them, so that no caller waits forever.
        queued.forEach((id, p) -> {
            if (queued.remove(id, p)) {
                p.result().complete(TaskResult.failure(p.spec(), "local",
                        TaskError.transientError("transport", "the local backend was closed before the task ran")));
            }
        });
    }
}

package io.numpywren.backend;

import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * What a backend that invokes remote workers one request per task shares: at most
 * {@code concurrency} invocations in flight, the rest waiting here in order, cancellable until
 * they are sent; on close, every waiting and running submission completes with a transient
 * failure. The backend supplies the invocation itself, which must always complete.
 */
public final class QueuedInvocations {
    private record Pending(TaskSpec spec, CompletableFuture<TaskResult> result) {
    }

    private final Semaphore permits;
    private final Function<TaskSpec, CompletableFuture<TaskResult>> invoke;
    private final String worker;
    private final String backend;
    /** Submissions waiting for a permit; guarded by {@code this}. */
    private final Deque<Pending> queue = new ArrayDeque<>();
    private final Set<Pending> running = ConcurrentHashMap.newKeySet();
    private boolean closed;

    /**
     * @param invoke  sends one task and completes with its result, never exceptionally
     * @param worker  how failures made here name the worker
     * @param backend how messages name the backend, e.g. "the Lambda backend"
     */
    public QueuedInvocations(int concurrency, Function<TaskSpec, CompletableFuture<TaskResult>> invoke, String worker,
                             String backend) {
        this.permits = new Semaphore(concurrency);
        this.invoke = Objects.requireNonNull(invoke, "invoke");
        this.worker = worker;
        this.backend = backend;
    }

    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        CompletableFuture<TaskResult> result = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                result.complete(TaskResult.failure(spec, worker, TaskError.transientError("transport", backend
                        + " is closed")));
                return result;
            }
            queue.addLast(new Pending(spec, result));
        }
        pump();
        return result;
    }

    /** Sends waiting submissions while permits last. */
    private void pump() {
        while (true) {
            Pending next;
            synchronized (this) {
                if (closed || queue.isEmpty() || !permits.tryAcquire()) {
                    return;
                }
                next = queue.pollFirst();
                running.add(next);
            }
            CompletableFuture<TaskResult> call;
            try {
                call = invoke.apply(next.spec());
            } catch (RuntimeException e) {
                call = CompletableFuture.completedFuture(TaskResult.failure(next.spec(), worker,
                        TaskError.deterministic("internal", "sending task " + next.spec().taskId() + " failed: " + e, null)));
            }
            Pending sent = next;
            call.whenComplete((r, error) -> {
                running.remove(sent);
                permits.release();
                sent.result().complete(r != null ? r : TaskResult.failure(sent.spec(), worker,
                        TaskError.transientError("transport", "sending task " + sent.spec().taskId() + " failed: " + error)));
                pump();
            });
        }
    }

    /** Removes a submission that has not been sent; true if one was cancelled. */
    public boolean cancel(String jobId, String taskId) {
        List<Pending> removed = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (Objects.equals(p.spec().jobId(), jobId) && Objects.equals(p.spec().taskId(), taskId)) {
                    it.remove();
                    removed.add(p);
                }
            }
        }
        boolean cancelled = false;
        for (Pending p : removed) {
            cancelled |= p.result().cancel(false);
        }
        return cancelled;
    }

    /** Completes every waiting and running submission with a transient failure; returns false if already closed. */
    public boolean close() {
        List<Pending> waiting;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            waiting = new ArrayList<>(queue);
            queue.clear();
        }
        for (Pending p : waiting) {
            p.result().complete(TaskResult.failure(p.spec(), worker,
                    TaskError.transientError("transport", backend + " was closed before the task was sent")));
        }
        // Invocations under way may still run to the end remotely; their callers hear now.
        for (Pending p : List.copyOf(running)) {
            p.result().complete(TaskResult.failure(p.spec(), worker,
                    TaskError.transientError("transport", backend + " was closed while the task ran")));
        }
        return true;
    }
}

package io.numpywren.tck;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Backend and store wrappers the fault-tolerance suite puts around the provider's backend to
 * inject faults the provider's platform would have: replies lost or late, workers that hold
 * tasks, workers blocked in the store. They follow the {@link ComputeBackend} contract: a
 * transport failure completes normally with a transient error.
 */
final class TckBackends {
    private TckBackends() {
    }

    private static ScheduledExecutorService timer(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Passes everything to the provider's backend. */
    abstract static class Forwarding implements ComputeBackend {
        final ComputeBackend delegate;

        Forwarding(ComputeBackend delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public BackendCapabilities capabilities() {
            return delegate.capabilities();
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            return delegate.submit(spec);
        }

        @Override
        public boolean cancel(String jobId, String taskId) {
            return delegate.cancel(jobId, taskId);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /**
     * Counts submissions the provider's backend has not answered yet, so a test can wait until
     * every worker it started (including ones whose reply a fault dropped) has finished before
     * it inspects the store.
     */
    static final class Tracking extends Forwarding {
        private final AtomicInteger outstanding = new AtomicInteger();
        private final AtomicLong submitted = new AtomicLong();

        Tracking(ComputeBackend delegate) {
            super(delegate);
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            outstanding.incrementAndGet();
            submitted.incrementAndGet();
            CompletionStage<TaskResult> answer;
            try {
                answer = delegate.submit(spec);
            } catch (RuntimeException e) {
                outstanding.decrementAndGet();
                throw e;
            }
            answer.whenComplete((r, e) -> outstanding.decrementAndGet());
            return answer;
        }

        long submitted() {
            return submitted.get();
        }

        /** Waits (at most {@code timeout}) until every submission has been answered. */
        void awaitQuiet(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (outstanding.get() > 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(outstanding.get() + " task submission(s) to the backend were still"
                            + " unanswered " + timeout + " after the job ended");
                }
                Thread.sleep(10);
            }
        }
    }

    /**
     * The worker runs the task (and writes its blocks) but the reply is lost on the way back:
     * the caller sees a transient transport failure, at {@code rate}, reproducibly from a seed.
     */
    static final class LostReplies extends Forwarding {
        private final double rate;
        private final SplittableRandom random;
        private final AtomicLong lost = new AtomicLong();

        LostReplies(ComputeBackend delegate, double rate, long seed) {
            super(delegate);
            this.rate = rate;
            this.random = new SplittableRandom(seed);
        }

        private synchronized boolean draw() {
            return random.nextDouble() < rate;
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            CompletionStage<TaskResult> answer = delegate.submit(spec);
            if (!draw()) {
                return answer;
            }
            lost.incrementAndGet();
            return answer.handle((r, e) -> TaskResult.failure(spec, null,
                    TaskError.transientError("transport", "connection reset while reading the reply (injected)")));
        }

        long lost() {
            return lost.get();
        }
    }

    /**
     * Holds the replies of the attempts {@code which} selects for {@code delay} after the worker
     * answered: with a delay beyond the lease, each of them makes the lease expire.
     */
    static final class DelayedReplies extends Forwarding {
        private final Predicate<TaskSpec> which;
        private final Duration delay;
        private final ScheduledExecutorService timer = timer("tck-delayed-replies");
        private final AtomicLong delayed = new AtomicLong();

        DelayedReplies(ComputeBackend delegate, Predicate<TaskSpec> which, Duration delay) {
            super(delegate);
            this.which = which;
            this.delay = delay;
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            CompletionStage<TaskResult> answer = delegate.submit(spec);
            if (!which.test(spec)) {
                return answer;
            }
            delayed.incrementAndGet();
            CompletableFuture<TaskResult> later = new CompletableFuture<>();
            answer.whenComplete((r, e) -> timer.schedule(() -> {
                if (r != null) {
                    later.complete(r);
                } else {
                    later.complete(TaskResult.failure(spec, null, TaskError.transientError("transport", String.valueOf(e))));
                }
            }, delay.toMillis(), TimeUnit.MILLISECONDS));
            return later;
        }

        long delayed() {
            return delayed.get();
        }

        @Override
        public void close() {
            timer.shutdownNow();
            super.close();
        }
    }

    /** Records which tasks succeeded through it, and how often, for a test that checks what ran again. */
    static final class Recording extends Forwarding {
        private final Map<String, AtomicInteger> succeeded = new ConcurrentHashMap<>();

        Recording(ComputeBackend delegate) {
            super(delegate);
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            return delegate.submit(spec).whenComplete((r, e) -> {
                if (r != null && r.ok()) {
                    succeeded.computeIfAbsent(spec.taskId(), t -> new AtomicInteger()).incrementAndGet();
                }
            });
        }

        /** The ids of the tasks that succeeded at least once. */
        java.util.Set<String> succeededTasks() {
            return java.util.Set.copyOf(succeeded.keySet());
        }

        /** Successful runs in all. */
        int successfulRuns() {
            return succeeded.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    /** The store as a driver that dies leaves it: closing it does nothing, since the next driver goes on with it. */
    static final class OutlivingStore extends ForwardingBlockStore {
        OutlivingStore(BlockStore delegate) {
            super(delegate);
        }

        @Override
        public void close() {
        }
    }

    /**
     * Stalls the attempts {@code which} selects before they reach the provider's backend, as
     * workers frozen before they started, until {@link #release}: then they run, write their
     * blocks and answer, however long after the job gave up on them.
     */
    static final class StalledUntilReleased extends Forwarding {
        private final Predicate<TaskSpec> which;
        private final Map<TaskSpec, CompletableFuture<TaskResult>> stalled = new ConcurrentHashMap<>();
        private final AtomicLong wroteLate = new AtomicLong();

        StalledUntilReleased(ComputeBackend delegate, Predicate<TaskSpec> which) {
            super(delegate);
            this.which = which;
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            if (!which.test(spec)) {
                return delegate.submit(spec);
            }
            CompletableFuture<TaskResult> answer = new CompletableFuture<>();
            stalled.put(spec, answer);
            return answer;
        }

        int stalled() {
            return stalled.size();
        }

        /** Lets every stalled attempt run now; returns when all have answered. */
        void release(Duration timeout) throws Exception {
            for (TaskSpec spec : List.copyOf(stalled.keySet())) {
                CompletableFuture<TaskResult> answer = stalled.remove(spec);
                TaskResult r = delegate.submit(spec).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (r.ok() && !r.outputs().isEmpty()) {
                    wroteLate.incrementAndGet();
                }
                answer.complete(r);
            }
        }

        /** How many released attempts wrote their blocks. */
        long wroteLate() {
            return wroteLate.get();
        }

        @Override
        public void close() {
            stalled.values().forEach(f -> f.completeExceptionally(new IllegalStateException("worker never started")));
            super.close();
        }
    }

    /**
     * Passes the first {@code passing} submissions on and holds every later one before it
     * reaches the provider's backend, as a platform whose workers have not started yet. A
     * cancelled held attempt completes as cancelled; {@link #dropHeld} completes the rest as
     * workers that died without running (they never write).
     */
    static final class Holding extends Forwarding {
        private final int passing;
        private final AtomicInteger seen = new AtomicInteger();
        private final Map<String, CompletableFuture<TaskResult>> held = new ConcurrentHashMap<>();
        private final CountDownLatch someHeld = new CountDownLatch(1);
        private final AtomicLong cancelRequests = new AtomicLong();
        private final AtomicLong cancelledHeld = new AtomicLong();

        Holding(ComputeBackend delegate, int passing) {
            super(delegate);
            this.passing = passing;
        }

        private static String id(String jobId, String taskId) {
            return jobId + "/" + taskId + "#";
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            if (seen.incrementAndGet() <= passing) {
                return delegate.submit(spec);
            }
            CompletableFuture<TaskResult> f = new CompletableFuture<>();
            held.put(id(spec.jobId(), spec.taskId()) + spec.attempt(), f);
            someHeld.countDown();
            return f;
        }

        @Override
        public boolean cancel(String jobId, String taskId) {
            cancelRequests.incrementAndGet();
            boolean cancelled = false;
            String prefix = id(jobId, taskId);
            for (String key : held.keySet()) {
                if (key.startsWith(prefix)) {
                    CompletableFuture<TaskResult> f = held.remove(key);
                    if (f != null && f.cancel(false)) {
                        cancelledHeld.incrementAndGet();
                        cancelled = true;
                    }
                }
            }
            return delegate.cancel(jobId, taskId) || cancelled;
        }

        boolean awaitHeld(Duration timeout) throws InterruptedException {
            return someHeld.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        long cancelRequests() {
            return cancelRequests.get();
        }

        long cancelledHeld() {
            return cancelledHeld.get();
        }

        /** Completes every attempt still held as a worker that died before it ran. */
        void dropHeld() {
            for (String key : List.copyOf(held.keySet())) {
                CompletableFuture<TaskResult> f = held.remove(key);
                if (f != null) {
                    f.completeExceptionally(new IllegalStateException("worker died before it started (injected)"));
                }
            }
        }

        @Override
        public void close() {
            dropHeld();
            super.close();
        }
    }

    /**
     * Claims {@code extra} more concurrency than the provider's backend declares, so that the
     * scheduler hands it more tasks than it runs at once, and records every answer and every
     * cancellation, so a test can check what cancelling did.
     */
    static final class Overcommitted extends Forwarding {
        private final int extra;
        final Map<String, CompletableFuture<TaskResult>> answers = new ConcurrentHashMap<>();
        final Map<String, TaskSpec> specs = new ConcurrentHashMap<>();
        final List<String> cancelledTasks = java.util.Collections.synchronizedList(new ArrayList<>());
        private final AtomicLong cancelRequests = new AtomicLong();

        Overcommitted(ComputeBackend delegate, int extra) {
            super(delegate);
            this.extra = extra;
        }

        @Override
        public BackendCapabilities capabilities() {
            BackendCapabilities c = delegate.capabilities();
            return new BackendCapabilities(c.maxConcurrency() + extra, c.maxTaskDuration(), c.maxRequestBytes(),
                    c.canCancel(), c.workerMemoryBytes());
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            CompletableFuture<TaskResult> answer = delegate.submit(spec).toCompletableFuture();
            answers.put(spec.taskId() + "#" + spec.attempt(), answer);
            specs.put(spec.taskId() + "#" + spec.attempt(), spec);
            return answer;
        }

        @Override
        public boolean cancel(String jobId, String taskId) {
            cancelRequests.incrementAndGet();
            boolean cancelled = delegate.cancel(jobId, taskId);
            if (cancelled) {
                cancelledTasks.add(taskId);
            }
            return cancelled;
        }

        long cancelRequests() {
            return cancelRequests.get();
        }
    }

    /**
     * The store the workers use, with a gate: once {@link #close closed}, every read waits until
     * {@link #open} (or at most a minute), and every write is logged.
     */
    static final class GatedStore extends ForwardingBlockStore {
        private volatile CountDownLatch gate = new CountDownLatch(0);
        private final AtomicInteger waiting = new AtomicInteger();
        final List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());

        GatedStore(BlockStore delegate) {
            super(delegate);
        }

        void shut() {
            gate = new CountDownLatch(1);
        }

        void open() {
            gate.countDown();
        }

        int waiting() {
            return waiting.get();
        }

        @Override
        public ByteBuffer get(String key) {
            CountDownLatch g = gate;
            if (g.getCount() > 0) {
                waiting.incrementAndGet();
                try {
                    g.await(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    waiting.decrementAndGet();
                }
            }
            return super.get(key);
        }

        @Override
        public void put(String key, ByteBuffer bytes) {
            written.add(key);
            super.put(key, bytes);
        }

        @Override
        public void close() {
            open();
            super.close();
        }
    }
}

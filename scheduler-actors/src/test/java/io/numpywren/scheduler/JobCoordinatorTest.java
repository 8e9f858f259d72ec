package io.numpywren.scheduler;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.scheduler.JobCoordinator.Actions;
import io.numpywren.scheduler.JobCoordinator.Dispatch;
import io.numpywren.scheduler.JobCoordinator.State;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskExecutor;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Drives a {@link JobCoordinator} with a fake clock and a fake synchronous backend: every
 * dispatch is either held (never answered until the test says so), answered with an injected
 * result, or run for real by the core {@link TaskExecutor} against an in-memory store.
 */
class JobCoordinatorTest {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    // Cholesky's statements, in textual order (see cholesky.lp).
    private static final int CHOL0 = 0;
    private static final int TRSM0 = 1;
    private static final int CHOL = 4;
    private static final int DIAGONAL_SYRK = 7;

    private static Task task(int statement, long... loopValues) {
        return new Task(statement, loopValues);
    }

    /** Scheduler knobs, defaulting to reference.conf's values but with speculation off. */
    private static final class Knobs {
        int concurrency = 0;
        Duration initialLease = Duration.ofMinutes(10);
        Duration minimumLease = Duration.ofSeconds(30);
        double leaseFactor = 10.0;
        RetryPolicy retry = new RetryPolicy(6, Duration.ofMillis(100), 2.0, Duration.ofSeconds(10));
        boolean speculation = false;
        double stragglerFactor = 4.0;
        Duration stragglerMinimum = Duration.ofSeconds(2);
        Duration drainTimeout = Duration.ofSeconds(30);
        boolean trace = false;

        SchedulerSettings build() {
            return new SchedulerSettings(concurrency, initialLease, minimumLease, leaseFactor, 1.0, retry, speculation,
                    stragglerFactor, stragglerMinimum, 1, Duration.ofMillis(50), Duration.ofMillis(500), drainTimeout,
                    Duration.ofMinutes(15), trace);
        }
    }

    private static BlockMatrix spd(BlockStore store, int n) {
        return BlockMatrices.generate(BlockMatrix.builder(store, "in", "A").shape(n, n).blockSize(8),
                MatrixGenerator.spd(1));
    }

    /** The job, the store, the fake clock and the fake backend. */
    private static final class Harness {
        final String id;
        final InMemoryBlockStore store = new InMemoryBlockStore();
        final BlockMatrix a;
        final BuiltinPrograms.Job job;
        final JobPlan plan;
        final Analyser analyser;
        final JobCoordinator coord;
        final TaskExecutor executor;
        final int maxConcurrency;
        final Map<String, byte[]> inputsBefore;
        long now = 7_000 * SECOND; // an arbitrary origin: nothing may assume the clock starts at 0

        final List<Dispatch> pending = new ArrayList<>();
        final List<Dispatch> dispatched = new ArrayList<>();
        final List<TaskSpec> cancelled = new ArrayList<>();
        Predicate<Dispatch> hold = d -> false;
        Function<Dispatch, TaskResult> inject = d -> null;
        int maxPending;
        int finishedCount;
        int storeDeletes;

        Harness(String id, int n, SchedulerSettings settings, int maxConcurrency) {
            this(id, s -> spd(s, n), settings, maxConcurrency);
        }

        Harness(String id, Function<BlockStore, BlockMatrix> input, SchedulerSettings settings, int maxConcurrency) {
            this.id = id;
            this.maxConcurrency = maxConcurrency;
            this.a = input.apply(store);
            this.inputsBefore = snapshot("in/");
            this.job = BuiltinPrograms.cholesky(a, "jobs/" + id);
            this.plan = new JobPlan(id, "cholesky", "jobs/" + id, job.program(), job.outputs(), job.intermediates());
            this.analyser = plan.program().analyser();
            this.coord = new JobCoordinator(plan, settings, "fake", new BackendCapabilities(maxConcurrency,
                    Duration.ofMinutes(15), Long.MAX_VALUE, true, 1L << 30));
            this.executor = new TaskExecutor(store, LinearAlgebraProviders.configured(), "fake-worker");
        }

        Map<String, byte[]> snapshot(String prefix) {
            Map<String, byte[]> map = new TreeMap<>();
            for (String key : store.list(prefix)) {
                ByteBuffer b = store.get(key);
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                map.put(key, bytes);
            }
            return map;
        }

        boolean finished() {
            return finishedCount > 0;
        }

        Actions apply(Actions actions) {
            if (finished()) {
                assertThat(actions.dispatch()).as("nothing is dispatched after the job finished").isEmpty();
                assertThat(actions.finished()).as("a job finishes once").isFalse();
            }
            // The store work, carried out as the actor does (off its thread, in order), here at once.
            store.deleteAll(actions.deletes());
            storeDeletes += actions.deletes().size();
            if (actions.cleanUp() != JobCoordinator.CleanUp.NONE) {
                plan.sweep(actions.cleanUp() == JobCoordinator.CleanUp.INTERMEDIATES ? coord.outputVersions() : null);
            }
            pending.addAll(actions.dispatch());
            dispatched.addAll(actions.dispatch());
            cancelled.addAll(actions.cancel());
            maxPending = Math.max(maxPending, pending.size());
            if (actions.finished()) {
                finishedCount++;
            }
            return actions;
        }

        Actions start() {
            return apply(coord.start(now));
        }

        Actions tick(long at) {
            assertThat(at).as("the clock never goes back").isGreaterThanOrEqualTo(now);
            now = at;
            return apply(coord.onTick(now));
        }

        TaskResult execute(Dispatch d) {
            TaskResult injected = inject.apply(d);
            return injected != null ? injected : executor.execute(d.spec());
        }

        Actions answer(Dispatch d) {
            return answer(d, execute(d));
        }

        Actions answer(Dispatch d, TaskResult result) {
            assertThat(pending.remove(d)).as("answering %s", d.spec().taskId()).isTrue();
            return apply(coord.onResult(d.task(), d.spec().attempt(), result, now));
        }

        /** Answers the oldest dispatch not held, one millisecond later; false when there is none. */
        boolean step() {
            for (Dispatch d : pending) {
                if (!hold.test(d)) {
                    now += MS;
                    answer(d);
                    return true;
                }
            }
            return false;
        }

        void runUntilQuiet() {
            int guard = 0;
            while (step()) {
                assertThat(++guard).as("runaway job").isLessThan(10_000);
            }
        }

        void answerAllPending(Function<Dispatch, TaskResult> how) {
            for (Dispatch d : new ArrayList<>(pending)) {
                now += MS;
                answer(d, how.apply(d));
            }
        }

        List<Dispatch> dispatchesOf(Task t) {
            return dispatched.stream().filter(d -> d.task().equals(t)).toList();
        }

        Dispatch dispatch(Task t, int attempt) {
            return dispatched.stream().filter(d -> d.task().equals(t) && d.spec().attempt() == attempt).findFirst()
                    .orElseThrow(() -> new AssertionError("no dispatch of " + t + " attempt " + attempt));
        }

        String kernel(Task t) {
            return plan.program().kernel(t).name();
        }

        /** L as the job left it: read through the versions of the attempts that won. */
        BlockMatrix output() {
            return coord.versionedOutputs().get("L");
        }

        long intermediateBlocksWritten() {
            long[] count = new long[1];
            analyser.forEachTask(t -> analyser.outputBlocks(t).forEach(b -> {
                if (plan.isIntermediate(b.matrix())) {
                    count[0]++;
                }
            }));
            return count[0];
        }

        void assertFactorCorrect() {
            Block dense = BlockMatrices.toDense(a);
            Block l = BlockMatrices.toDense(output());
            int n = dense.rows();
            Block diff = Block.zeros(n, n);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (j > i) {
                        assertThat(l.get(i, j)).as("L is lower triangular").isZero();
                    }
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        s += l.get(i, k) * l.get(j, k);
                    }
                    diff.set(i, j, dense.get(i, j) - s);
                }
            }
            assertThat(diff.frobeniusNorm() / dense.frobeniusNorm()).isLessThan(1e-12);
        }

        void assertOnlyOutputLeft() {
            BlockMatrix l = output();
            List<String> keys = store.list("jobs/" + id + "/");
            assertThat(keys).allMatch(k -> k.startsWith(l.prefix()), "only keys of L");
            assertThat(keys).contains(l.headerKey());
            assertThat(BlockMatrix.open(store, l.namespace(), "L")).as("reopened by name, L reads the winners")
                    .isEqualTo(l);
            int n = l.gridRows();
            assertThat(keys).hasSize(n * (n + 1) / 2 + 1);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    assertThat(keys).contains(l.key(i, j));
                }
            }
        }

        void assertNothingLeft() {
            assertThat(store.list("jobs/" + id + "/")).isEmpty();
        }

        void assertInputsIntact() {
            Map<String, byte[]> after = snapshot("in/");
            assertThat(after.keySet()).isEqualTo(inputsBefore.keySet());
            inputsBefore.forEach((k, v) -> assertThat(after.get(k)).as(k).isEqualTo(v));
        }

        void assertEveryTaskRanOnce() {
            Map<Task, Integer> counts = new HashMap<>();
            dispatched.forEach(d -> counts.merge(d.task(), 1, Integer::sum));
            assertThat(counts.values()).allMatch(c -> c == 1);
            assertThat((long) counts.size()).isEqualTo(analyser.taskCount());
        }

        /** Every cancel names an attempt the backend was actually sent. */
        void assertCancelsWereSent() {
            Set<String> sent = new HashSet<>();
            dispatched.forEach(d -> sent.add(d.spec().taskId() + "#" + d.spec().attempt()));
            assertThat(cancelled).allMatch(c -> sent.contains(c.taskId() + "#" + c.attempt()),
                    "cancels only attempts that were dispatched");
        }
    }

    private static TaskResult transientFailure(Dispatch d, String message) {
        return TaskResult.failure(d.spec(), "fake-worker", TaskError.transientError("transport", message));
    }

    // ---------------------------------------------------------------------------------------------------------
    // A whole job

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 64})
    void choleskyRunsToSuccess(int maxConcurrency) {
        Harness h = new Harness("ok" + maxConcurrency, 32, SchedulerSettings.defaults(), maxConcurrency);
        assertThat(h.start().dispatch()).hasSize(1); // Cholesky has one starter
        assertThat(h.coord.state()).isEqualTo(State.RUNNING);
        h.runUntilQuiet();

        assertThat(h.finishedCount).isEqualTo(1);
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        assertThat(h.coord.failure()).isNull();
        assertThat(h.pending).isEmpty();
        // every worker keeps up to pipeline-width tasks in flight
        assertThat(h.maxPending).isLessThanOrEqualTo(maxConcurrency * SchedulerSettings.defaults().pipelineWidth());
        if (maxConcurrency > 1) {
            assertThat(h.maxPending).as("independent tasks run side by side").isGreaterThan(1);
        }
        h.assertEveryTaskRanOnce();
        assertThat(h.cancelled).isEmpty();
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();

        JobReport r = h.coord.report();
        assertThat(r.jobId()).isEqualTo(h.id);
        assertThat(r.algorithm()).isEqualTo("cholesky");
        assertThat(r.backend()).isEqualTo("fake");
        assertThat(r.tasks()).isEqualTo(h.analyser.taskCount()).isEqualTo(20);
        assertThat(r.flops()).isPositive();
        assertThat(r.bytesRead()).isPositive();
        assertThat(r.bytesWritten()).isPositive();
        assertThat(r.kernelProviders()).isNotEmpty();
        assertThat(r.retries()).isZero();
        assertThat(r.duplicates()).isZero();
        assertThat(r.speculativeCopies()).isZero();
        assertThat(r.leaseExpiries()).isZero();
        assertThat(r.wallSeconds()).isCloseTo(20 * MS / 1e9, within(1e-9));
        assertThat(r.peakIntermediateBlocks()).isPositive()
                .as("blocks are deleted as their last reader finishes")
                .isLessThan(h.intermediateBlocksWritten());
        assertThat(r.workerSecondsAllocated()).isPositive().isLessThanOrEqualTo(r.workerSecondsFixedPool() + 1e-12);

        JobProgress p = h.coord.progress(h.now + SECOND);
        assertThat(p.tasksDone()).isEqualTo(p.tasksTotal()).isEqualTo(20);
        assertThat(p.inFlight()).isZero();
        assertThat(p.fractionDone()).isEqualTo(1.0);
        // finished jobs ignore further events
        assertThat(h.coord.onTick(h.now + SECOND)).isEqualTo(Actions.NONE);
        assertThat(h.coord.cancel(h.now + SECOND, "too late")).isEqualTo(Actions.NONE);
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
    }

    @Test
    void smallJobDeletesIntermediatesAsItGoes() {
        Harness h = new Harness("small", 24, SchedulerSettings.defaults(), 4);
        h.start();
        long peakLive = 0;
        while (h.step()) {
            peakLive = Math.max(peakLive, h.store.list(h.plan.namespace() + "/S/").stream()
                    .filter(k -> !k.endsWith("header.json")).count());
        }
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        assertThat(h.coord.report().tasks()).isEqualTo(h.analyser.taskCount());
        assertThat(h.coord.report().peakIntermediateBlocks()).isEqualTo(peakLive)
                .isLessThan(h.intermediateBlocksWritten());
        assertThat((long) h.storeDeletes).as("intermediates deleted as actions, once their last reader is done")
                .isPositive().isLessThanOrEqualTo(h.intermediateBlocksWritten());
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();
    }

    @Test
    void configuredConcurrencyBelowTheBackendsLimitIsRespected() {
        Knobs k = new Knobs();
        k.concurrency = 2;
        Harness h = new Harness("conc", 32, k.build(), 16);
        h.start();
        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        assertThat(h.maxPending).isEqualTo(2);
        h.assertEveryTaskRanOnce();
    }

    @Test
    void progressWhileRunning() {
        Harness h = new Harness("progress", 32, SchedulerSettings.defaults(), 4);
        h.start();
        for (int i = 0; i < 5; i++) {
            assertThat(h.step()).isTrue();
        }
        JobProgress p = h.coord.progress(h.now);
        assertThat(p.tasksDone()).isEqualTo(5);
        assertThat(p.tasksTotal()).isEqualTo(20);
        assertThat(p.inFlight()).isEqualTo(h.pending.size());
        assertThat(p.elapsedSeconds()).isCloseTo(5 * MS / 1e9, within(1e-12));
        assertThat(p.flops()).isPositive();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Failures and retries

    @Test
    void transientFailureIsRetriedAfterTheBackoff() {
        Knobs k = new Knobs();
        k.retry = new RetryPolicy(4, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1));
        Harness h = new Harness("transient", 24, k.build(), 4);
        Task victim = task(TRSM0, 1);
        assertThat(h.kernel(victim)).isEqualTo("trsm");
        long[] failedAt = {-1};
        h.inject = d -> {
            if (d.task().equals(victim) && d.spec().attempt() == 1) {
                failedAt[0] = h.now;
                return transientFailure(d, "connection reset");
            }
            return null;
        };
        h.start();
        h.runUntilQuiet();
        assertThat(failedAt[0]).isPositive();
        assertThat(h.finished()).isFalse();
        assertThat(h.dispatchesOf(victim)).hasSize(1);

        long due = failedAt[0] + Duration.ofMillis(100).toNanos();
        assertThat(h.now).isLessThan(due);
        assertThat(h.tick(due - 1).dispatch()).as("not before the backoff").isEmpty();
        Actions retried = h.tick(due);
        assertThat(retried.dispatch()).extracting(Dispatch::task).containsExactly(victim);
        assertThat(retried.dispatch().get(0).spec().attempt()).isEqualTo(2);
        assertThat(h.tick(due + 1).dispatch()).as("retried once").isEmpty();

        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        JobReport r = h.coord.report();
        assertThat(r.retries()).isEqualTo(1);
        assertThat(r.duplicates()).isZero();
        assertThat(r.tasks()).isEqualTo(h.analyser.taskCount());
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();
    }

    @Test
    void retryBudgetExhaustedFailsTheJob() {
        Knobs k = new Knobs();
        k.retry = new RetryPolicy(3, Duration.ofMillis(10), 2.0, Duration.ofMillis(40));
        Harness h = new Harness("budget", 24, k.build(), 4);
        Task victim = task(CHOL, 1);
        assertThat(h.kernel(victim)).isEqualTo("chol");
        h.inject = d -> d.task().equals(victim) ? transientFailure(d, "throttled by the store") : null;
        h.start();
        for (int round = 0; round < 10 && !h.finished(); round++) {
            h.runUntilQuiet();
            if (!h.finished()) {
                h.tick(h.now + SECOND);
            }
        }
        assertThat(h.finished()).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.dispatchesOf(victim)).extracting(d -> d.spec().attempt()).containsExactly(1, 2, 3);
        String message = h.coord.failure();
        assertThat(message).contains("failed at step").contains(h.plan.program().describe(victim))
                .contains("O[i,i] = chol(S[i,i,i]) at i=1").contains("failed 3 times").contains("throttled by the store")
                .contains("attempt 3");
        assertThat(h.coord.report().retries()).isEqualTo(2);
        assertThat(h.pending).isEmpty();
        h.assertNothingLeft();
        h.assertInputsIntact();
    }

    @Test
    void deterministicFailureFailsAtOnce() {
        Block dense = Block.identity(32, 32);
        dense.set(20, 20, -1.0);
        Harness h = new Harness("notspd", s -> BlockMatrices.fromDense(dense, BlockMatrix.builder(s, "in", "A")
                .blockSize(8)), new Knobs().build(), 4);
        Task victim = task(CHOL, 2);
        int[] dispatchedAtFailure = {-1};
        h.start();
        while (h.step()) {
            if (h.coord.state() != State.RUNNING && dispatchedAtFailure[0] < 0) {
                dispatchedAtFailure[0] = h.dispatched.size();
            }
        }
        assertThat(h.finished()).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(dispatchedAtFailure[0]).isPositive();
        assertThat(h.dispatched).as("no further dispatches").hasSize(dispatchedAtFailure[0]);
        assertThat(h.dispatchesOf(victim)).as("not retried").hasSize(1);
        assertThat(h.coord.failure()).contains("not positive definite").contains("failed at step")
                .contains(h.plan.program().describe(victim));
        assertThat(h.coord.report().retries()).isZero();
        assertThat(h.coord.report().tasks()).isLessThan(h.analyser.taskCount());
        assertThat(h.tick(h.now + Duration.ofHours(1).toNanos()).dispatch()).isEmpty();
        h.assertNothingLeft();
        h.assertInputsIntact();
        h.assertCancelsWereSent();
    }

    @Test
    void deterministicFailureOfTheFirstTaskFinishesAtOnce() {
        Block dense = Block.identity(32, 32);
        dense.set(3, 3, -2.0); // the very first task fails
        Knobs k = new Knobs();
        Harness h = new Harness("notspd0", s -> BlockMatrices.fromDense(dense, BlockMatrix.builder(s, "in", "A")
                .blockSize(8)), k.build(), 4);
        h.start();
        Dispatch first = h.pending.get(0);
        Actions failed = h.answer(first, h.execute(first));
        assertThat(failed.finished()).as("nothing else was out").isTrue();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("not positive definite").contains("O[0,0] = chol(I[0,0])");
        assertThat(h.dispatched).hasSize(1);
        h.assertNothingLeft();
        h.assertInputsIntact();
    }

    @Test
    void resultWithWrongOutputKeysIsRejected() {
        Harness h = new Harness("wrongkey", 24, new Knobs().build(), 4);
        Task victim = task(TRSM0, 2);
        h.inject = d -> {
            if (!d.task().equals(victim)) {
                return null;
            }
            TaskResult real = h.executor.execute(d.spec());
            String bogus = h.plan.namespace() + "/L/2_1";
            return new TaskResult(TaskResult.VERSION, d.spec().jobId(), d.spec().taskId(), d.spec().attempt(),
                    TaskResult.Status.OK, List.of(new TaskResult.WrittenBlock(bogus, 1, 8)), real.flops(),
                    real.bytesRead(), real.bytesWritten(), 0, 0, 0, "liar", null, null);
        };
        h.start();
        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("instead of its outputs").contains(h.plan.namespace() + "/L/2_1")
                .contains(h.plan.program().describe(victim));
        assertThat(h.dispatchesOf(victim)).hasSize(1);
        h.assertNothingLeft();
        h.assertInputsIntact();
    }

    @Test
    void okResultWithoutOutputsIsRejected() {
        Harness h = new Harness("nokeys", 24, new Knobs().build(), 4);
        Task victim = task(CHOL0);
        h.inject = d -> d.task().equals(victim)
                ? new TaskResult(TaskResult.VERSION, d.spec().jobId(), d.spec().taskId(), d.spec().attempt(),
                TaskResult.Status.OK, List.of(), 0, 0, 0, 0, 0, 0, "liar", null, null)
                : null;
        h.start();
        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("instead of its outputs");
        assertThat(h.dispatched).hasSize(1);
        assertThat(h.coord.report().tasks()).isZero();
        h.assertNothingLeft();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Leases, duplicates, draining

    private static Knobs oneSecondLeases() {
        Knobs k = new Knobs();
        k.initialLease = Duration.ofSeconds(1);
        k.minimumLease = Duration.ofSeconds(1);
        k.drainTimeout = Duration.ofSeconds(5);
        return k;
    }

    @Test
    void expiredLeaseIsReplacedAndTheOriginalMayStillWin() {
        Harness h = new Harness("expiry", 24, oneSecondLeases().build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter); // the backend sits on every attempt of the starter
        long t0 = h.now;
        h.start();
        assertThat(h.tick(t0 + SECOND - 1).dispatch()).as("the lease has not run out").isEmpty();
        Actions replaced = h.tick(t0 + SECOND);
        assertThat(replaced.dispatch()).extracting(Dispatch::task).containsExactly(starter);
        assertThat(replaced.dispatch().get(0).spec().attempt()).isEqualTo(2);
        assertThat(h.coord.report().leaseExpiries()).isEqualTo(1);
        assertThat(h.coord.progress(h.now).inFlight()).as("the expired lease no longer counts").isEqualTo(1);
        assertThat(h.tick(t0 + SECOND + 1).dispatch()).isEmpty();

        // the original answers first: it wins and the replacement is cancelled
        h.now += MS;
        Dispatch original = h.dispatch(starter, 1);
        Actions won = h.answer(original, h.executor.execute(original.spec()));
        assertThat(won.cancel()).extracting(TaskSpec::attempt).containsExactly(2);
        assertThat(won.dispatch()).as("its children are released").isNotEmpty();
        Dispatch replacement = h.dispatch(starter, 2);
        h.answer(replacement, h.executor.execute(replacement.spec()));
        assertThat(h.coord.report().duplicates()).isEqualTo(1);

        h.hold = d -> false;
        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        JobReport r = h.coord.report();
        assertThat(r.tasks()).isEqualTo(h.analyser.taskCount());
        assertThat(r.leaseExpiries()).isGreaterThanOrEqualTo(1);
        assertThat(r.retries()).isEqualTo(1);
        assertThat(r.duplicates()).isEqualTo(1);
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();
        h.assertCancelsWereSent();
    }

    @Test
    void jobDoesNotWaitForAnAttemptWhoseLeaseRanOut() {
        Harness h = new Harness("presumed-dead", 24, oneSecondLeases().build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter) && d.spec().attempt() == 1;
        long t0 = h.now;
        h.start();
        h.tick(t0 + SECOND);
        h.runUntilQuiet(); // attempt 2 and everything after it
        assertThat(h.coord.report().tasks()).isEqualTo(h.analyser.taskCount());
        assertThat(h.coord.state()).as("attempt 1 is past its lease: presumed dead").isEqualTo(State.SUCCEEDED);
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();

        assertThat(h.coord.awaitingLateAnswers()).as("attempt 1 may still write").isTrue();

        // it turns up after all: counted, its writes swept, and nothing else is expected
        h.now += MS;
        Dispatch late = h.dispatch(starter, 1);
        Actions afterLate = h.answer(late, h.executor.execute(late.spec()));
        assertThat(afterLate.dispatch()).isEmpty();
        assertThat(afterLate.cleanUp()).as("a sweep of what it wrote").isEqualTo(JobCoordinator.CleanUp.INTERMEDIATES);
        assertThat(h.coord.report().duplicates()).isEqualTo(1);
        assertThat(h.coord.lateSweeps()).isEqualTo(1);
        assertThat(h.coord.awaitingLateAnswers()).isFalse();
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
    }

    @Test
    void aLateWriterWritesOnlyUnderItsOwnAttemptsKeyAndNeverCorruptsTheResult() {
        Harness h = new Harness("fenced", 24, oneSecondLeases().build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter) && d.spec().attempt() == 1;
        long t0 = h.now;
        h.start();
        h.tick(t0 + SECOND);
        h.runUntilQuiet(); // attempt 2 wins, and the job succeeds without attempt 1
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        Dispatch late = h.dispatch(starter, 1);
        String winnerKey = h.output().key(0, 0);
        String lateKey = late.spec().outputs().get(0).key();
        assertThat(lateKey).as("each attempt writes a key of its own").isNotEqualTo(winnerKey)
                .startsWith(h.output().prefix());
        // The presumed-dead attempt writes garbage where it was told to, and answers no more.
        h.store.put(lateKey, io.numpywren.codec.BlockCodec.encode(io.numpywren.matrix.Block.identity(8, 8)));
        h.assertFactorCorrect(); // the block that won is untouched
        h.apply(h.coord.finalSweep());
        h.assertOnlyOutputLeft();
        assertThat(h.store.exists(lateKey)).as("the late writer's block is swept").isFalse();
        h.assertFactorCorrect();
    }

    @Test
    void aLateWriteWhoseAnswerNeverComesIsSweptAtTheHorizon() {
        Knobs k = new Knobs();
        k.drainTimeout = Duration.ofSeconds(1);
        Harness h = new Harness("late-write-lost-reply", 24, k.build(), 4);
        h.hold = d -> d.task().equals(task(TRSM0, 2));
        h.inject = d -> d.task().equals(task(TRSM0, 1))
                ? TaskResult.failure(d.spec(), "w", TaskError.deterministic("kernel", "not positive definite", null))
                : null;
        h.start();
        h.runUntilQuiet();
        h.tick(h.now + SECOND);
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        h.assertNothingLeft();
        // The held attempt was alive after all (it read its inputs before the clean-up): it writes
        // its output now, and its reply is lost.
        String lateKey = h.pending.get(0).spec().outputs().get(0).key();
        h.store.put(lateKey, io.numpywren.codec.BlockCodec.encode(io.numpywren.matrix.Block.identity(8, 8)));
        assertThat(h.store.list("jobs/late-write-lost-reply/")).as("the late write landed").isNotEmpty();
        assertThat(h.coord.awaitingLateAnswers()).isTrue();
        h.apply(h.coord.finalSweep());
        h.assertNothingLeft();
        assertThat(h.coord.awaitingLateAnswers()).isFalse();
    }

    @Test
    void jobWaitsForAnAttemptWhoseLeaseIsStillRunning() {
        Harness h = new Harness("drain-live", 24, oneSecondLeases().build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter);
        long t0 = h.now;
        h.start();
        h.tick(t0 + SECOND); // attempt 1 expires, attempt 2 is dispatched and held
        h.now += MS;
        Dispatch original = h.dispatch(starter, 1);
        h.answer(original, h.executor.execute(original.spec())); // the original wins after all
        h.hold = d -> d.task().equals(starter) && d.spec().attempt() == 2; // the replacement is still running
        h.runUntilQuiet();
        assertThat(h.coord.report().tasks()).isEqualTo(h.analyser.taskCount());
        assertThat(h.coord.state()).as("attempt 2 is within its lease and may still write").isEqualTo(State.DRAINING);

        h.now += MS;
        Dispatch replacement = h.dispatch(starter, 2);
        Actions last = h.answer(replacement, h.executor.execute(replacement.spec()));
        assertThat(last.finished()).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        assertThat(h.coord.report().duplicates()).isEqualTo(1);
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();
    }

    @Test
    void drainTimeoutEndsAJobWhoseLiveAttemptNeverAnswers() {
        Knobs k = new Knobs();
        k.initialLease = Duration.ofHours(1);
        k.minimumLease = Duration.ofHours(1);
        k.drainTimeout = Duration.ofSeconds(5);
        Harness h = new Harness("drain-timeout", 24, k.build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter);
        h.start();
        Actions cancelled = h.coord.cancel(h.now, "stop");
        assertThat(cancelled.finished()).isFalse();
        assertThat(h.coord.state()).as("the starter's attempt is within its lease").isEqualTo(State.DRAINING);
        long deadline = h.now + Duration.ofSeconds(5).toNanos();
        assertThat(h.tick(deadline - 1).finished()).isFalse();
        assertThat(h.tick(deadline).finished()).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("cancelled: stop");
        h.assertNothingLeft();
        h.assertInputsIntact();
    }

    @Test
    void duplicateDeliveryIsCountedOnce() {
        Harness h = new Harness("dup", 24, new Knobs().build(), 4);
        Task twice = task(TRSM0, 1);
        h.start();
        boolean delivered = false;
        while (true) {
            Dispatch next = h.pending.stream().findFirst().orElse(null);
            if (next == null) {
                break;
            }
            h.now += MS;
            TaskResult result = h.execute(next);
            h.answer(next, result);
            if (next.task().equals(twice)) {
                Actions again = h.apply(h.coord.onResult(next.task(), next.spec().attempt(), result, h.now));
                assertThat(again.dispatch()).isEmpty();
                delivered = true;
            }
        }
        assertThat(delivered).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        JobReport r = h.coord.report();
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.tasks()).isEqualTo(h.analyser.taskCount());
        h.assertEveryTaskRanOnce();
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
    }

    @Test
    void lateResultOfAFailedJobIsADuplicate() {
        Knobs k = new Knobs();
        k.drainTimeout = Duration.ofSeconds(1);
        Harness h = new Harness("late-after-fail", 24, k.build(), 4);
        h.hold = d -> d.task().equals(task(TRSM0, 2));
        h.inject = d -> d.task().equals(task(TRSM0, 1))
                ? TaskResult.failure(d.spec(), "w", TaskError.deterministic("corrupt-block", "bad checksum", "k"))
                : null;
        h.start();
        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.DRAINING);
        assertThat(h.coord.failure()).contains("bad checksum").contains("block k");
        assertThat(h.cancelled).extracting(TaskSpec::taskId).containsExactly("1:2");
        h.tick(h.now + SECOND);
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        h.assertNothingLeft();
        h.now += MS;
        Dispatch late = h.pending.get(0);
        assertThat(h.answer(late, h.executor.execute(late.spec()))).isEqualTo(Actions.NONE);
        assertThat(h.coord.report().duplicates()).isEqualTo(1);
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        h.assertNothingLeft(); // what the late attempt wrote was swept
    }

    // ---------------------------------------------------------------------------------------------------------
    // Speculation

    private static Knobs speculative(boolean enabled) {
        Knobs k = new Knobs();
        k.speculation = enabled;
        k.stragglerFactor = 2.0;
        k.stragglerMinimum = Duration.ofMillis(100);
        k.initialLease = Duration.ofHours(1);
        k.minimumLease = Duration.ofHours(1);
        return k;
    }

    /** Runs everything but one late syrk, so that several syrks have finished in a few fake milliseconds. */
    private static Harness stalledOnASyrk(String id, boolean speculation, Task straggler) {
        Harness h = new Harness(id, 32, speculative(speculation).build(), 4);
        assertThat(h.kernel(straggler)).isEqualTo("syrk");
        h.hold = d -> d.task().equals(straggler);
        h.start();
        h.runUntilQuiet();
        assertThat(h.pending).extracting(Dispatch::task).containsExactly(straggler);
        assertThat(h.coord.state()).isEqualTo(State.RUNNING);
        assertThat(h.coord.report().tasks()).isLessThan(h.analyser.taskCount());
        return h;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void stragglerGetsASpeculativeCopyAndTheFirstAnswerWins(boolean copyAnswersFirst) {
        Task straggler = task(DIAGONAL_SYRK, 1, 3);
        Harness h = stalledOnASyrk("spec-" + copyAnswersFirst, true, straggler);
        assertThat(h.tick(h.now).dispatch()).as("not long enough yet (minimum runtime)").isEmpty();

        Actions copy = h.tick(h.now + 10 * SECOND);
        assertThat(copy.dispatch()).extracting(Dispatch::task).containsExactly(straggler);
        assertThat(copy.dispatch().get(0).spec().attempt()).isEqualTo(2);
        assertThat(h.coord.report().speculativeCopies()).isEqualTo(1);
        assertThat(h.tick(h.now + 10 * SECOND).dispatch()).as("one copy is enough").isEmpty();
        assertThat(h.coord.report().leaseExpiries()).isZero();

        int winner = copyAnswersFirst ? 2 : 1;
        int loser = 3 - winner;
        h.now += MS;
        Dispatch first = h.dispatch(straggler, winner);
        Actions won = h.answer(first, h.executor.execute(first.spec()));
        assertThat(won.cancel()).extracting(TaskSpec::attempt).containsExactly(loser);
        assertThat(won.dispatch()).isNotEmpty();
        h.hold = d -> d.task().equals(straggler); // the loser is still out
        h.runUntilQuiet();
        assertThat(h.coord.report().tasks()).isEqualTo(h.analyser.taskCount());
        assertThat(h.coord.state()).as("waits for the loser").isEqualTo(State.DRAINING);

        h.now += MS;
        Dispatch second = h.dispatch(straggler, loser);
        assertThat(h.answer(second, h.executor.execute(second.spec())).finished()).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        JobReport r = h.coord.report();
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.speculativeCopies()).isEqualTo(1);
        assertThat(r.retries()).isZero();
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();
    }

    @Test
    void noSpeculationWhenDisabled() {
        Task straggler = task(DIAGONAL_SYRK, 1, 3);
        Harness h = stalledOnASyrk("nospec", false, straggler);
        assertThat(h.tick(h.now + 10 * SECOND).dispatch()).isEmpty();
        assertThat(h.tick(h.now + 100 * SECOND).dispatch()).isEmpty();
        assertThat(h.coord.report().speculativeCopies()).isZero();
        h.hold = d -> false;
        h.runUntilQuiet();
        assertThat(h.coord.state()).isEqualTo(State.SUCCEEDED);
        assertThat(h.dispatchesOf(straggler)).hasSize(1);
    }

    @Test
    void noSpeculationWithoutEnoughHistory() {
        // the starter is the only chol(I) task: its kernel has no history at all
        Knobs k = speculative(true);
        Harness h = new Harness("nohistory", 32, k.build(), 4);
        h.hold = d -> d.task().equals(task(CHOL0));
        h.start();
        assertThat(h.tick(h.now + 100 * SECOND).dispatch()).isEmpty();
        assertThat(h.coord.report().speculativeCopies()).isZero();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Cancellation

    @Test
    void cancelFailsTheJobAndRemovesWhatItWrote() {
        Harness h = new Harness("cancel", 32, new Knobs().build(), 4);
        h.start();
        for (int i = 0; i < 6; i++) {
            assertThat(h.step()).isTrue();
        }
        assertThat(h.pending).isNotEmpty();
        assertThat(h.store.list(h.plan.namespace() + "/")).anyMatch(key -> key.contains("/S/1_"));
        List<Dispatch> out = new ArrayList<>(h.pending);
        int sent = h.dispatched.size();

        Actions cancel = h.apply(h.coord.cancel(h.now, "the user asked"));
        assertThat(cancel.finished()).isFalse();
        assertThat(cancel.dispatch()).isEmpty();
        assertThat(cancel.cancel()).extracting(TaskSpec::taskId)
                .containsExactlyInAnyOrderElementsOf(out.stream().map(d -> d.spec().taskId()).toList());
        assertThat(h.coord.state()).isEqualTo(State.DRAINING);

        h.runUntilQuiet(); // the backend could not cancel: the attempts answer anyway
        assertThat(h.finished()).isTrue();
        assertThat(h.dispatched).as("nothing new after the cancel").hasSize(sent);
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("cancelled").contains("the user asked").contains(h.id);
        h.assertNothingLeft();
        h.assertInputsIntact();
    }

    @Test
    void cancelWithNothingInFlightFinishesAtOnce() {
        Harness h = new Harness("cancel-idle", 24, new Knobs().build(), 4);
        h.hold = d -> true;
        h.start();
        Dispatch only = h.pending.get(0);
        h.answer(only, transientFailure(only, "blip")); // waiting for its retry: nothing in flight
        Actions cancel = h.apply(h.coord.cancel(h.now, "stop"));
        assertThat(cancel.finished()).isTrue();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("cancelled");
        assertThat(h.tick(h.now + 10 * SECOND).dispatch()).as("the pending retry is dropped").isEmpty();
        h.assertNothingLeft();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Regressions

    /**
     * Several leases expire in one tick; one of them has no attempts left. Replacements granted
     * earlier in that tick must not linger as "unanswered" attempts that were never sent (the
     * job would otherwise wait out the whole drain timeout for them).
     */
    @Test
    void leaseExpiryThatExhaustsTheBudgetDoesNotWaitForUnsentAttempts() {
        Knobs k = oneSecondLeases();
        k.retry = new RetryPolicy(2, Duration.ofMillis(1), 2.0, Duration.ofMillis(1));
        k.drainTimeout = Duration.ofHours(1);
        Harness h = new Harness("expiry-budget", 32, k.build(), 8);
        Task t1 = task(TRSM0, 1);
        Task t2 = task(TRSM0, 2);
        Task t3 = task(TRSM0, 3);
        h.hold = d -> d.task().statement() == TRSM0 && !(d.task().equals(t1) && d.spec().attempt() == 1);
        h.inject = d -> d.task().equals(t1) ? transientFailure(d, "blip") : null;
        h.start();
        h.runUntilQuiet(); // chol, then t1 fails once; t2, t3 are held
        assertThat(h.pending).extracting(Dispatch::task).containsExactlyInAnyOrder(t2, t3);
        h.tick(h.now + 10 * MS); // t1's retry, attempt 2, held as well
        assertThat(h.pending).extracting(Dispatch::task).containsExactlyInAnyOrder(t1, t2, t3);

        Actions expired = h.tick(h.now + SECOND); // every lease runs out; t1 has used both attempts
        assertThat(expired.dispatch()).isEmpty();
        assertThat(expired.finished()).as("no attempt within its lease is left to wait for").isTrue();
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("did not answer within its lease 2 times")
                .contains(h.plan.program().describe(t1));
        h.assertCancelsWereSent();

        h.answerAllPending(d -> transientFailure(d, "gone"));
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        h.assertNothingLeft();
        h.assertInputsIntact();
    }

    /**
     * A lease expires (its worker is gone for good) and the replacement fails transiently. The
     * task must be tried again: the expired attempt will never answer, and nothing else would
     * ever re-dispatch the task.
     */
    @Test
    void transientFailureOfAReplacementIsRetriedEvenThoughTheExpiredAttemptIsOut() {
        Harness h = new Harness("expired-then-fail", 24, oneSecondLeases().build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter) && d.spec().attempt() == 1;
        h.inject = d -> d.task().equals(starter) && d.spec().attempt() == 2 ? transientFailure(d, "throttled") : null;
        long t0 = h.now;
        h.start();
        h.tick(t0 + SECOND);
        h.runUntilQuiet(); // attempt 2 fails
        for (int i = 1; i <= 3 && h.dispatchesOf(starter).size() < 3; i++) {
            h.tick(h.now + 100 * MS);
        }
        assertThat(h.dispatchesOf(starter)).extracting(d -> d.spec().attempt()).containsExactly(1, 2, 3);
        assertThat(h.tick(h.now + 100 * MS).dispatch()).isEmpty();
        h.runUntilQuiet();
        assertThat(h.coord.report().tasks()).isEqualTo(h.analyser.taskCount());
        assertThat(h.coord.state()).as("attempt 1 is past its lease: not waited for").isEqualTo(State.SUCCEEDED);
        assertThat(h.coord.report().retries()).isEqualTo(2);
        h.assertFactorCorrect();
        h.assertOnlyOutputLeft();
        h.assertInputsIntact();
    }

    @Test
    void replacementFailureAfterExpiryStillRespectsTheBudget() {
        Knobs k = oneSecondLeases();
        k.retry = new RetryPolicy(2, Duration.ofMillis(1), 2.0, Duration.ofMillis(1));
        Harness h = new Harness("expired-budget", 24, k.build(), 4);
        Task starter = task(CHOL0);
        h.hold = d -> d.task().equals(starter) && d.spec().attempt() == 1;
        h.inject = d -> d.task().equals(starter) ? transientFailure(d, "throttled") : null;
        long t0 = h.now;
        h.start();
        h.tick(t0 + SECOND);
        h.runUntilQuiet(); // attempt 2 fails: two attempts used
        assertThat(h.dispatchesOf(starter)).hasSize(2);
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        assertThat(h.coord.failure()).contains("failed 2 times").contains("throttled");
        h.answerAllPending(d -> transientFailure(d, "gone"));
        assertThat(h.coord.state()).isEqualTo(State.FAILED);
        h.assertNothingLeft();
    }
}

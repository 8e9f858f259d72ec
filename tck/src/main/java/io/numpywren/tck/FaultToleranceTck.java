package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.ChaosBackend;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobFailedException;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.JobJournals;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FaultInjectingBlockStore;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The scheduler survives, on the provider's backend, the faults a serverless platform has:
 * workers that die before writing or after writing but before replying, replies lost in
 * transit, tasks delivered twice, stragglers, a storm of lease expiries, and (when the
 * workers use the given store) throttling and blocks corrupted in transit. Faults are
 * injected by wrappers around the provider's backend and store, from fixed seeds.
 *
 * <p>Every job still completes with a mathematically correct result; the report counts the
 * retries, duplicates and lease expiries the fault implies; nothing is left in the job area
 * after a success, a failure or a cancellation; and the inputs are byte-identical afterwards.
 * Leases, back-offs and the scheduler's tick are shortened by {@link #config()} so that the
 * suite stays fast.
 */
public abstract class FaultToleranceTck extends NumpywrenSuite {

    private TckBackends.Tracking tracking;
    private TckBackends.GatedStore gatedStore;
    private TckBackends.Holding holding;

    /**
     * What the kit may do to the backend. {@link BackendTrait#WORKERS_USE_GIVEN_STORE} enables the
     * store-fault tests (the kit wraps the store it passes to {@link #newBackend}); a backend whose
     * capabilities report {@code canCancel()} also gets the test that cancelling a job cancels its
     * queued tasks.
     */
    @Override
    protected Set<BackendTrait> traits() {
        return super.traits();
    }

    /**
     * Short leases (200 ms), quick retries with a generous budget (20 attempts), a fast tick,
     * and no speculation unless a test turns it on: a fault costs a fraction of a second.
     * A provider whose tasks take longer than the minimum lease may raise it.
     */
    @Override
    protected Config config() {
        return ConfigFactory.parseString("""
                numpywren.scheduler {
                  lease.minimum = 200ms
                  lease.initial = 1s
                  retry.initial-backoff = 10ms
                  retry.max-backoff = 50ms
                  retry.max-attempts = 20
                  speculation.enabled = false
                  speculation.minimum-runtime = 100ms
                  tick = 20ms
                  drain-timeout = 10s
                }
                """).withFallback(super.config());
    }

    /** Each test starts its own {@code Numpywren}, with its faults (see {@code start}). */
    @Override
    protected Numpywren numpywrenForEachTest() {
        return null;
    }

    /** Lets held-back work go before the base class empties the job area and closes {@code nw}. */
    @AfterEach
    public void releaseFaults() {
        if (gatedStore != null) {
            gatedStore.open();
        }
        if (holding != null) {
            holding.dropHeld();
        }
    }

    /**
     * Starts {@code Numpywren} on the provider's backend, with {@code scenario} settings over
     * {@link #config()}; the provider's backend gets {@code workerStore(store)} and is wrapped
     * in {@code faults}.
     */
    private Numpywren start(String scenario, UnaryOperator<BlockStore> workerStore,
                            Function<ComputeBackend, ComputeBackend> faults) throws Exception {
        ComputeBackend provided = newBackend(workerStore.apply(store));
        assertThat(provided).as("newBackend(store)").isNotNull();
        tracking = new TckBackends.Tracking(provided);
        Config config = ConfigFactory.parseString(scenario).withFallback(settings());
        nw = Numpywren.create(config, store, faults.apply(tracking));
        return nw;
    }

    private Numpywren start(Function<ComputeBackend, ComputeBackend> faults) throws Exception {
        return start("", UnaryOperator.identity(), faults);
    }

    /**
     * After a success: once every worker the backend started has answered (a fault may have
     * dropped the reply of one that was still writing), nothing but the outputs is left.
     */
    private void onlyOutputsRemain(JobResult r) throws InterruptedException {
        tracking.awaitQuiet(jobTimeout());
        TckJobs.assertOnlyOutputsRemain(nw.store(), jobsRoot(), r.outputs().values());
    }

    /** After a failure or a cancellation: nothing at all is left in the job area. */
    private void nothingRemains() throws InterruptedException {
        tracking.awaitQuiet(jobTimeout());
        assertThat(nw.store().list(jobsRoot())).as("objects left in the job area").isEmpty();
    }

    private static ChaosBackend chaos(ComputeBackend backend, String rates, long seed) {
        return new ChaosBackend(backend, ChaosBackend.Rates.parse(rates), seed);
    }

    // ---------------------------------------------------------------- dead workers and lost replies

    @Test
    public void workersThatDieBeforeWritingAreReplacedWhenTheirLeaseExpires() throws Exception {
        ChaosBackend[] chaos = new ChaosBackend[1];
        start(b -> chaos[0] = chaos(b, "kill=0.2", 101));
        BlockMatrix a = nw.randomSpd("A", 64, 16, 1);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.cholesky(a));

        TckJobs.checkCholesky(a, r.output("L"));
        assertThat(chaos[0].injected().get("killed")).as("workers killed").isPositive();
        assertThat(r.report().leaseExpiries()).as("lease expiries").isGreaterThanOrEqualTo(chaos[0].injected().get("killed"));
        assertThat(r.report().retries()).as("retries").isGreaterThanOrEqualTo(chaos[0].injected().get("killed"));
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    @Test
    public void workersThatDieAfterWritingButBeforeReplyingAreRetriedIdempotently() throws Exception {
        ChaosBackend[] chaos = new ChaosBackend[1];
        start(b -> chaos[0] = chaos(b, "lose=0.2", 102));
        BlockMatrix a = nw.random("A", 48, 40, 16, 2);
        BlockMatrix b = nw.random("B", 40, 56, 16, 3);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        JobResult r = await(nw.gemm(a, b));

        TckJobs.checkProduct(a, b, r.output("C"));
        assertThat(chaos[0].injected().get("lost")).as("replies lost after the worker wrote").isPositive();
        assertThat(r.report().leaseExpiries()).as("lease expiries").isGreaterThanOrEqualTo(chaos[0].injected().get("lost"));
        assertThat(r.report().retries()).as("retries").isGreaterThanOrEqualTo(chaos[0].injected().get("lost"));
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    @Test
    public void repliesLostInTransitAreRetried() throws Exception {
        TckBackends.LostReplies[] lost = new TckBackends.LostReplies[1];
        start(b -> lost[0] = new TckBackends.LostReplies(b, 0.25, 103));
        BlockMatrix a = nw.random("A", 56, 40, 8, 4);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.qr(a));

        TckJobs.checkR(a, r.output("R"));
        assertThat(lost[0].lost()).as("replies lost").isPositive();
        assertThat(r.report().retries()).as("retries").isGreaterThanOrEqualTo(lost[0].lost());
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    @Test
    public void tasksDeliveredTwiceAreHarmless() throws Exception {
        ChaosBackend[] chaos = new ChaosBackend[1];
        start(b -> chaos[0] = chaos(b, "duplicate=0.3", 104));
        BlockMatrix a = nw.random("A", 100, 12, 16, 5);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.tsqr(a));

        TckJobs.checkR(a, r.output("R"));
        assertThat(chaos[0].injected().get("duplicated")).as("tasks delivered twice").isPositive();
        assertThat(tracking.submitted()).as("submissions the backend received")
                .isGreaterThanOrEqualTo(r.report().tasks() + chaos[0].injected().get("duplicated"));
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    @Test
    public void stragglersAreOvertakenBySpeculativeCopies() throws Exception {
        ChaosBackend[] chaos = new ChaosBackend[1];
        // Stragglers (800 ms) stay within their lease (2 s); a copy starts after 1.5 x the median task,
        // and at least 100 ms: well before a straggler ends even where a task takes 100 ms or more
        // (a function invoked over HTTP; a busy machine).
        start("""
                numpywren.scheduler.speculation.enabled = true
                numpywren.scheduler.speculation.factor = 1.5
                numpywren.scheduler.lease.minimum = 2s
                numpywren.scheduler.lease.initial = 3s
                """, UnaryOperator.identity(), b -> chaos[0] = chaos(b, "slow=0.2,slow-delay=800ms", 105));
        BlockMatrix a = nw.random("A", 64, 64, 16, 6);
        BlockMatrix b = nw.random("B", 64, 48, 16, 7);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        JobResult r = await(nw.gemm(a, b));

        TckJobs.checkProduct(a, b, r.output("C"));
        assertThat(chaos[0].injected().get("slowed")).as("stragglers").isPositive();
        assertThat(r.report().speculativeCopies()).as("speculative copies").isPositive();
        assertThat(r.report().duplicates()).as("results of a task already done").isPositive();
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    @Test
    public void aStormOfLeaseExpiriesEndsInOneCorrectResult() throws Exception {
        TckBackends.DelayedReplies[] delayed = new TckBackends.DelayedReplies[1];
        // Every first attempt answers 2.5 minimum leases late (500 ms with the kit's 200 ms), well past its lease.
        Duration late = settings().getDuration("numpywren.scheduler.lease.minimum").multipliedBy(5).dividedBy(2);
        start(b -> delayed[0] = new TckBackends.DelayedReplies(b, spec -> spec.attempt() == 1, late));
        BlockMatrix a = nw.randomSpd("A", 64, 16, 8);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.cholesky(a));

        TckJobs.checkCholesky(a, r.output("L"));
        JobReport report = r.report();
        assertThat(delayed[0].delayed()).as("late replies").isEqualTo(report.tasks());
        assertThat(report.leaseExpiries()).as("lease expiries").isGreaterThanOrEqualTo(report.tasks());
        assertThat(report.retries()).as("retries").isGreaterThanOrEqualTo(report.tasks());
        assertThat(report.duplicates()).as("late replies for tasks already done").isPositive();
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    /**
     * A worker frozen before it started (its lease ran out, another attempt won, the job
     * succeeded) wakes up after the job and writes its block: it writes under its own attempt's
     * key, so the result stays correct, and its answer makes the job sweep, so no object of it
     * survives the job.
     */
    @Test
    public void aWorkerThatWritesAfterTheJobLeavesNothingBehind() throws Exception {
        TckBackends.StalledUntilReleased[] stalled = new TckBackends.StalledUntilReleased[1];
        start(b -> stalled[0] = new TckBackends.StalledUntilReleased(b,
                spec -> spec.taskId().equals("0:") && spec.attempt() == 1));
        BlockMatrix a = nw.randomSpd("A", 64, 16, 9);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.cholesky(a));
        assertThat(stalled[0].stalled()).as("the first task's first attempt, still frozen").isEqualTo(1);
        assertThat(r.report().leaseExpiries()).as("its lease ran out").isPositive();
        onlyOutputsRemain(r);

        stalled[0].release(jobTimeout());
        assertThat(stalled[0].wroteLate()).as("the late attempt wrote its block").isEqualTo(1);
        long deadline = System.nanoTime() + jobTimeout().toNanos();
        while (nw.store().list(jobsRoot()).size() > TckJobs.storedKeys(r.outputs().values()) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the job sweeps once the late answer arrives
        }
        TckJobs.checkCholesky(a, r.output("L"));
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    // ---------------------------------------------------------------- a driver that dies

    /**
     * The driver dies in the middle of a job (its actor system goes, its workers' later tasks never
     * start) and another driver resumes the job from the journal: the tasks journaled as finished
     * do not run again, the rest do, the result is correct and only the outputs are left.
     */
    @Test
    public void aJobWhoseDriverDiesIsResumedByAnotherWithoutRunningFinishedTasksAgain() throws Exception {
        java.nio.file.Path journalDir = java.nio.file.Files.createTempDirectory("numpywren-tck-journal");
        // Frequent snapshots: the resumption reads one and replays the events after it.
        String journaled = "numpywren.journal { kind = embedded, snapshot-every = 3, directory = \""
                + journalDir.toString().replace("\\", "/") + "\" }";
        Config config = ConfigFactory.parseString(journaled).withFallback(settings());
        int passing = 20;
        tracking = new TckBackends.Tracking(newBackend(store));
        TckBackends.Recording first = new TckBackends.Recording(tracking);
        holding = new TckBackends.Holding(first, passing);
        // The store outlives the driver: the next one goes on with it.
        nw = Numpywren.create(config, new TckBackends.OutlivingStore(store), holding);
        BlockMatrix a = nw.randomSpd("A", 96, 16, 10);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);
        nw.cholesky(a);
        assertThat(holding.awaitHeld(jobTimeout())).as("the job got past its first %d submissions", passing).isTrue();
        tracking.awaitQuiet(jobTimeout());
        int finished = first.succeededTasks().size();
        JobJournals.JobSummary before = awaitJournaled(finished);
        assertThat(before.tasksDone()).as("tasks journaled as finished").isEqualTo(finished).isPositive();
        long total = before.tasks();
        nw.close(); // the driver dies: its actors stop, and the tasks it still held never start

        TckBackends.Recording second = new TckBackends.Recording(newBackend(store));
        tracking = new TckBackends.Tracking(second);
        nw = Numpywren.create(config, store, tracking);
        assertThat(nw.jobs()).extracting(JobJournals.JobSummary::jobId, JobJournals.JobSummary::state,
                        JobJournals.JobSummary::tasksDone)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(before.jobId(), "UNFINISHED", (long) finished));

        JobResult r = await(nw.resume(before.jobId()));

        TckJobs.checkCholesky(a, r.output("L"));
        assertThat(r.report().tasks()).as("tasks the second driver finished").isEqualTo(total - finished);
        assertThat(second.succeededTasks()).as("tasks the second driver ran")
                .hasSize((int) (total - finished)).doesNotContainAnyElementsOf(first.succeededTasks());
        assertThat(nw.jobs().get(0).state()).isEqualTo("SUCCEEDED");
        assertThat(resumingAgain(before.jobId())).as("resuming a job that is over").contains("already succeeded");
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    /** Why resuming {@code jobId} fails, once its last driver has stopped. */
    private String resumingAgain(String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + jobTimeout().toNanos();
        while (true) {
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> await(nw.resume(jobId)));
            assertThat(failure).as("resuming %s again", jobId).isNotNull();
            String message = String.valueOf(failure.getMessage());
            if (!message.contains("is already running") || System.nanoTime() > deadline) {
                return message;
            }
            Thread.sleep(20); // the driver that finished it is still stopping
        }
    }

    /** Waits until the journal has {@code finished} tasks of the one job in it. */
    private JobJournals.JobSummary awaitJournaled(int finished) throws InterruptedException {
        long deadline = System.nanoTime() + jobTimeout().toNanos();
        while (true) {
            List<JobJournals.JobSummary> jobs = nw.jobs();
            if (jobs.size() == 1 && jobs.get(0).tasksDone() >= finished) {
                return jobs.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the journal did not record " + finished + " finished tasks: " + jobs);
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------- store faults

    @Test
    public void throttledStoreRequestsAreRetried() throws Exception {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "injecting store errors into the workers");
        FaultInjectingBlockStore[] faulty = new FaultInjectingBlockStore[1];
        start("", s -> faulty[0] = new FaultInjectingBlockStore(s, 0.05, 0.0, k -> true, 106), b -> b);
        BlockMatrix a = nw.randomSpd("A", 48, 16, 9);
        BlockMatrix b = nw.random("B", 48, 5, 16, 10);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        JobResult r = await(nw.solve(a, b));

        TckJobs.checkSolution(a, b, r.output("X"));
        assertThat(faulty[0].throttledCount()).as("requests throttled").isPositive();
        assertThat(r.report().retries()).as("retries").isGreaterThanOrEqualTo(faulty[0].throttledCount());
        inputs.assertUnchanged();
        onlyOutputsRemain(r);
    }

    @Test
    public void blocksCorruptedInTransitAreReadAgain() throws Exception {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "corrupting the workers' reads");
        FaultInjectingBlockStore[] faulty = new FaultInjectingBlockStore[1];
        start("", s -> faulty[0] = new FaultInjectingBlockStore(s, 0.0, 0.05, k -> true, 107), b -> b);
        BlockMatrix a = nw.random("A", 40, 40, 8, 11);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.svd(a));

        TckJobs.checkSingularValues(a, r.singularValues(), nw.driverKernels());
        assertThat(faulty[0].corruptedCount()).as("reads corrupted in transit").isPositive();
        assertThat(r.report().retries()).as("retries").isGreaterThanOrEqualTo(faulty[0].corruptedCount());
        inputs.assertUnchanged();
        assertThat(nw.store().list(jobsRoot())).as("job area after an SVD").isEmpty();
    }

    // ---------------------------------------------------------------- failure and cancellation

    @Test
    public void aTaskThatNeverAnswersFailsTheJobAfterItsRetriesAndLeavesNothingBehind() throws Exception {
        start("numpywren.scheduler.retry.max-attempts = 3", UnaryOperator.identity(), b -> chaos(b, "kill=1.0", 108));
        BlockMatrix a = nw.randomSpd("A", 48, 16, 12);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = TckJobs.failureOf(() -> nw.cholesky(a), jobTimeout());

        assertThat(failure).isInstanceOf(JobFailedException.class)
                .hasMessageContaining("did not answer within its lease 3 times");
        inputs.assertUnchanged();
        nothingRemains();
    }

    @Test
    public void aBlockThatCannotBeReadFailsTheJobNamingItAndLeavesNothingBehind() throws Exception {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "injecting store errors into the workers");
        String[] unreadable = new String[1];
        start("numpywren.scheduler.retry.max-attempts = 3",
                s -> new FaultInjectingBlockStore(s, 1.0, 0.0, k -> k.equals(unreadable[0]), 109), b -> b);
        BlockMatrix a = nw.random("A", 48, 48, 16, 13);
        BlockMatrix b = nw.random("B", 48, 32, 16, 14);
        unreadable[0] = b.key(2, 1);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = TckJobs.failureOf(() -> nw.gemm(a, b), jobTimeout());

        assertThat(failure).isInstanceOf(JobFailedException.class)
                .hasMessageContaining("failed 3 times")
                .hasMessageContaining(unreadable[0]);
        inputs.assertUnchanged();
        nothingRemains();
    }

    /** Runs a job whose later tasks are held back, and cancels it once some are held. */
    private Throwable cancelWhileTasksAreHeld(TckBackends.Holding held, String reason) throws Exception {
        BlockMatrix a = nw.randomSpd("A", 64, 16, 15);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);
        TckJobs.JobIds ids = new TckJobs.JobIds();

        CompletableFuture<JobResult> job = nw.cholesky(a, ids).toCompletableFuture();
        String jobId = ids.awaitFirst(jobTimeout());
        assertThat(held.awaitHeld(jobTimeout())).as("a task was held back").isTrue();
        assertThat(job).as("the job, while tasks are held").isNotDone();
        nw.cancel(jobId, "cancelled by the TCK");

        Throwable failure = TckJobs.failureOf(() -> job, jobTimeout());
        assertThat(failure).isInstanceOf(JobFailedException.class)
                .hasMessageContaining("cancelled")
                .hasMessageContaining(reason);
        assertThat(((JobFailedException) failure).jobId()).isEqualTo(jobId);
        held.dropHeld(); // workers that never started (the scheduler presumed them dead): they never write
        inputs.assertUnchanged();
        nothingRemains();
        return failure;
    }

    @Test
    public void cancellingARunningJobFailsItAndRemovesEverythingItWrote() throws Exception {
        start(b -> holding = new TckBackends.Holding(b, 6));
        cancelWhileTasksAreHeld(holding, "cancelled by the TCK");
    }

    /** The answer of one submission (null when it was cancelled or failed), waiting at most the job timeout. */
    private TaskResult answerOf(CompletableFuture<TaskResult> f) throws InterruptedException {
        try {
            return f.get(jobTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (CancellationException | ExecutionException e) {
            return null;
        } catch (TimeoutException e) {
            throw new AssertionError("a submission to the backend was not answered within " + jobTimeout()
                    + " of the job's cancellation", e);
        }
    }

    @Test
    public void cancellingAJobCancelsItsQueuedTasksInTheBackend() throws Exception {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "holding the workers in the store");
        TckBackends.Overcommitted[] over = new TckBackends.Overcommitted[1];
        // The workers block in the store; the backend is handed 4 more tasks than it runs at once.
        // Leases outlast the test, so the job waits for its running tasks instead of presuming them dead.
        start("""
                numpywren.scheduler.lease.minimum = 60s
                numpywren.scheduler.lease.initial = 60s
                """, s -> gatedStore = new TckBackends.GatedStore(s), b -> over[0] = new TckBackends.Overcommitted(b, 4));
        assumeTrue(over[0].capabilities().canCancel(),
                "skipped: cancelling queued tasks, and the backend's capabilities().canCancel() is false");
        BlockMatrix a = nw.random("A", 64, 64, 16, 16);
        BlockMatrix b = nw.random("B", 64, 64, 16, 17);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);
        TckJobs.JobIds ids = new TckJobs.JobIds();
        gatedStore.shut();

        CompletableFuture<JobResult> job = nw.gemm(a, b, ids).toCompletableFuture();
        String jobId = ids.awaitFirst(jobTimeout());
        long deadline = System.nanoTime() + jobTimeout().toNanos();
        while (gatedStore.waiting() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gatedStore.waiting()).as("workers waiting in the store").isPositive();
        nw.cancel(jobId, "cancelled by the TCK");
        // The queued tasks are cancelled at once; the running ones finish when the store opens.
        long cancelDeadline = System.nanoTime() + jobTimeout().toNanos();
        while (over[0].cancelledTasks.isEmpty() && System.nanoTime() < cancelDeadline) {
            Thread.sleep(5);
        }
        List<String> cancelled = List.copyOf(over[0].cancelledTasks);
        gatedStore.open();

        Throwable failure = TckJobs.failureOf(() -> job, jobTimeout());
        assertThat(failure).isInstanceOf(JobFailedException.class).hasMessageContaining("cancelled by the TCK");
        assertThat(over[0].cancelRequests()).as("cancellations the scheduler sent the backend").isPositive();
        assertThat(cancelled).as("tasks the backend cancelled before they started").isNotEmpty();
        for (var e : over[0].answers.entrySet()) {
            TaskResult answer = answerOf(e.getValue());
            if (cancelled.contains(e.getKey().substring(0, e.getKey().lastIndexOf('#')))) {
                assertThat(answer == null || !answer.ok())
                        .as("task %s, which the backend cancelled, completed with no result", e.getKey()).isTrue();
                for (TaskSpec.OutputBlock out : over[0].specs.get(e.getKey()).outputs()) {
                    assertThat(gatedStore.written).as("blocks written by the workers").doesNotContain(out.key());
                }
            }
        }
        inputs.assertUnchanged();
        nothingRemains();
    }
}

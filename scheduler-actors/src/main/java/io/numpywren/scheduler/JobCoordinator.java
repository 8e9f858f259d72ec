package io.numpywren.scheduler;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BlockId;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.BlockVersions;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything one job's actor decides, as plain single-threaded logic with an explicit clock:
 * what to dispatch, when a lease has expired, whether to retry, when to speculate, which
 * intermediate blocks to delete, and when the job is done. The actor only feeds it events and
 * carries out the {@link Actions} it returns. It does no store I/O itself: deletes and clean-ups
 * are actions too, which the actor carries out off its thread, so that dispatch never waits on
 * the store; the outputs are verified by the results that reported them.
 */
public final class JobCoordinator {
    public enum State { RUNNING, DRAINING, SUCCEEDED, FAILED }

    /** One attempt of one task to send to the backend. */
    public record Dispatch(Task task, TaskSpec spec) {
    }

    /**
     * What to sweep from the store once a job (or a late write after it) is over: every key its
     * attempts may have written but, after a success, the outputs' winning blocks and headers.
     */
    public enum CleanUp {
        NONE, INTERMEDIATES, INTERMEDIATES_AND_OUTPUTS;

        CleanUp and(CleanUp other) {
            return values()[Math.max(ordinal(), other.ordinal())];
        }
    }

    /**
     * What the actor must do after an event: attempts to send and to cancel, intermediate blocks
     * whose last reader is done (to delete in the background, batched), a clean-up, and whether
     * the job is over (its outcome is told once the store work before it is done).
     */
    public record Actions(List<Dispatch> dispatch, List<TaskSpec> cancel, List<String> deletes, CleanUp cleanUp,
                          boolean finished) {
        static final Actions NONE = new Actions(List.of(), List.of(), false);

        Actions(List<Dispatch> dispatch, List<TaskSpec> cancel, boolean finished) {
            this(dispatch, cancel, List.of(), CleanUp.NONE, finished);
        }
    }

    private record Delayed(Task task, int level, long dueNanos) {
    }

    /** One dispatched attempt; every one is answered exactly once (a result or a transport failure). */
    private record Attempt(Task task, int attempt) {
    }

    private final JobPlan plan;
    private final SchedulerSettings settings;
    private final String backend;
    private final int capacity;
    private final long maxLeaseNanos;
    private final Analyser analyser;
    private final Frontier frontier = new Frontier();
    private final LeaseTable leases = new LeaseTable();
    private final PriorityQueue<Delayed> retryQueue = new PriorityQueue<>(Comparator.comparingLong(Delayed::dueNanos));
    private final StragglerPolicy stragglers;
    private final ScalingPolicy scaling;
    private final WorkerAccounting accounting;
    private final Map<BlockId, Integer> readsLeft = new HashMap<>();
    private final Set<String> providers = new TreeSet<>();
    private final List<TaskSpan> spans = new ArrayList<>();
    /**
     * Attempts dispatched and not yet answered, with their lease deadlines. A finished or failed
     * job waits for those whose lease is still running (their workers are alive and may still
     * write); an attempt past its deadline is presumed dead and is not waited for.
     */
    private final Map<Attempt, Long> unanswered = new HashMap<>();
    /**
     * Attempts given up on (lease run out, or still out when the drain timed out). One that was
     * only slow may still write its blocks after the job's clean-up, so a finished job sweeps
     * again when such an attempt answers, and once more at the late-write horizon.
     */
    private final Set<Attempt> presumedDead = new HashSet<>();
    /**
     * The version (the winning attempt's) of each block the job wrote that is still live, by its
     * unversioned key: intermediates until deleted, outputs for good. Readers are sent these keys,
     * the outputs are checked against them, and the sweep keeps only them.
     */
    private final Map<String, String> winners = new HashMap<>();
    /** This driver's incarnation of the job: 0, then one more each time it is resumed. Part of every attempt's version. */
    private int epoch;
    /** Tasks finished since the journal last took them ({@link #takeFinished}); none are kept without a journal. */
    private List<JobJournal.FinishedTask> finishedSinceTaken = new ArrayList<>();
    private boolean journaled;
    /** Tasks an earlier driver finished (journaled) when this one took over: the report counts this driver's work. */
    private long doneBefore;
    private int deletedSinceTaken;
    /** Store work decided since the last event's actions were returned. */
    private List<String> pendingDeletes = new ArrayList<>();
    private CleanUp pendingCleanUp = CleanUp.NONE;
    private long lateSweeps;

    private State state = State.RUNNING;
    private String failure;
    private long total;
    private long done;
    private long flops;
    private long bytesRead;
    private long bytesWritten;
    private long retries;
    private long duplicates;
    private long speculativeCopies;
    private long leaseExpiries;
    private long liveIntermediates;
    private long peakIntermediates;
    private long startNanos;
    private long endNanos;
    private long drainDeadline;

    public JobCoordinator(JobPlan plan, SchedulerSettings settings, String backend, BackendCapabilities capabilities) {
        this(plan, settings, backend, capabilities, 0);
    }

    /** A coordinator for incarnation {@code epoch} of the job (0 when it starts, more when resumed). */
    public JobCoordinator(JobPlan plan, SchedulerSettings settings, String backend, BackendCapabilities capabilities,
                          int epoch) {
        this.plan = plan;
        this.epoch = epoch;
        this.settings = settings;
        this.backend = backend;
        // Each worker keeps pipelineWidth tasks in flight, so it never idles while its next task
        // travels; the workers themselves are capped by the backend's concurrency.
        int workers = capabilities.maxConcurrency();
        int pipelined = (int) Math.min(Integer.MAX_VALUE, (long) workers * settings.pipelineWidth());
        this.capacity = settings.concurrency() > 0 ? Math.min(settings.concurrency(), pipelined) : pipelined;
        this.maxLeaseNanos = capabilities.maxTaskDuration().toNanos();
        this.analyser = plan.program().analyser();
        this.stragglers = new StragglerPolicy(settings.speculation(), settings.stragglerFactor(),
                settings.stragglerMinimum().toNanos());
        int maxWorkers = Math.max(1, Math.min(workers, (capacity + settings.pipelineWidth() - 1) / settings.pipelineWidth()));
        this.scaling = new ScalingPolicy(maxWorkers, settings.pipelineWidth());
        this.accounting = new WorkerAccounting(maxWorkers);
    }

    public State state() {
        return state;
    }

    /** Why the job failed, or null. */
    public String failure() {
        return failure;
    }

    public JobPlan plan() {
        return plan;
    }

    public Actions start(long now) {
        seed();
        return withStoreWork(begin(now));
    }

    /** Puts the program's starters in the frontier: a new job, or the replay of its journal from the start. */
    public void seed() {
        analyser.starters().forEachRemaining(frontier::addStarter);
    }

    private Actions begin(long now) {
        startNanos = now;
        total = plan.taskCount();
        if (done >= total) {
            return finish(now);
        }
        return new Actions(fill(now), List.of(), false);
    }

    // ---------------------------------------------------------------- durability

    /**
     * Runs from the state the journal rebuilt (the seeded start, or a checkpoint and the tasks
     * finished after it) as incarnation {@code epoch}: what was in flight is dispatched again, and
     * the intermediates whose last reader finished are deleted (again: the dead driver may have).
     */
    public Actions proceed(long now, int epoch) {
        this.epoch = epoch;
        this.doneBefore = done;
        return withStoreWork(begin(now));
    }

    /** Whether finished tasks are kept for a journal ({@link #takeFinished}); without one, nothing is. */
    public void journaled(boolean journaled) {
        this.journaled = journaled;
    }

    /** Replays one task the journal says finished: its children may become ready, its outputs are the winners. */
    public void replayFinished(JobJournal.FinishedTask f) {
        Task task = JobJournal.parseTask(f.task());
        List<BlockId> outputs = analyser.outputBlocks(task);
        frontier.finishedWhileReady(task);
        done++;
        for (BlockId b : outputs) {
            winners.put(plan.key(b), f.version());
        }
        for (Task child : analyser.readersOf(outputs)) {
            frontier.parentFinished(child, f.level(), analyser::parentCount);
        }
        collectIntermediates(task, outputs);
    }

    /** The tasks finished since the last call, for the journal, and how many intermediates were deleted meanwhile. */
    public JobJournal.TasksFinished takeFinished() {
        JobJournal.TasksFinished taken = new JobJournal.TasksFinished(finishedSinceTaken, deletedSinceTaken);
        finishedSinceTaken = new ArrayList<>();
        deletedSinceTaken = 0;
        return taken;
    }

    /** Whether tasks finished that the journal has not taken yet. */
    public boolean hasUntakenFinished() {
        return !finishedSinceTaken.isEmpty();
    }

    /**
     * The durable state now: every task that may run (ready, in flight, or waiting for a retry,
     * since after a restart all are ready again), pending counts, reads left, versions, totals.
     * Consistent with the journal only when every finished task has been taken and journaled.
     */
    public JobJournal.CoordinatorState checkpoint() {
        Map<Task, Integer> ready = new java.util.LinkedHashMap<>();
        frontier.forEachReady((t, level) -> ready.merge(t, level, Math::min));
        for (LeaseTable.Lease l : leases.outstanding()) {
            ready.merge(l.task(), l.level(), Math::min);
        }
        for (Delayed d : retryQueue) {
            ready.merge(d.task(), d.level(), Math::min);
        }
        List<JobJournal.ReadyTask> readyTasks = new ArrayList<>();
        ready.forEach((t, level) -> readyTasks.add(new JobJournal.ReadyTask(JobJournal.taskText(t), level)));
        List<JobJournal.PendingTask> pending = new ArrayList<>();
        frontier.forEachPending((t, remaining, level) ->
                pending.add(new JobJournal.PendingTask(JobJournal.taskText(t), remaining, level)));
        Map<String, Integer> reads = new HashMap<>();
        readsLeft.forEach((b, left) -> reads.put(JobJournal.blockText(b), left));
        return new JobJournal.CoordinatorState(readyTasks, pending, reads, Map.copyOf(winners), done, liveIntermediates,
                peakIntermediates);
    }

    /** Restores the durable state of a checkpoint (instead of {@link #seed}); the journal's later events replay on top. */
    public void restore(JobJournal.CoordinatorState s) {
        for (JobJournal.ReadyTask r : s.ready()) {
            frontier.requeue(JobJournal.parseTask(r.task()), r.level());
        }
        for (JobJournal.PendingTask p : s.pending()) {
            frontier.restorePending(JobJournal.parseTask(p.task()), p.remaining(), p.level());
        }
        s.readsLeft().forEach((b, left) -> readsLeft.put(JobJournal.parseBlock(b), left));
        winners.putAll(s.winners());
        done = s.done();
        liveIntermediates = s.liveIntermediates();
        peakIntermediates = s.peakIntermediates();
    }

    /** The unversioned keys and versions of every live block the job wrote: what a resumption checks is still there. */
    public Map<String, String> liveBlocks() {
        return java.util.Collections.unmodifiableMap(winners);
    }

    public Actions onResult(Task task, int attempt, TaskResult result, long now) {
        return withStoreWork(answered(task, attempt, result, now));
    }

    private Actions answered(Task task, int attempt, TaskResult result, long now) {
        Attempt answered = new Attempt(task, attempt);
        unanswered.remove(answered);
        boolean wasPresumedDead = presumedDead.remove(answered);
        if (state == State.SUCCEEDED || state == State.FAILED) {
            duplicates++;
            if (wasPresumedDead && !result.outputs().isEmpty()) {
                sweep();
            }
            return Actions.NONE;
        }
        List<BlockId> outputs = analyser.outputBlocks(task);
        if (result.ok() && wroteExpectedBlocks(outputs, attempt, result)) {
            return succeeded(task, outputs, attempt, result, now);
        }
        LeaseTable.Lease lease = leases.failed(task, attempt);
        if (lease == null) {
            duplicates++; // a failure report for a task that is already done
            return drainStep(now);
        }
        if (result.ok()) {
            return fail(now, describe(task, attempt) + " reported blocks " + keys(result) + " instead of its outputs");
        }
        if (!result.error().isTransient()) {
            String block = result.error().key() == null ? "" : ", block " + result.error().key();
            return fail(now, describe(task, attempt) + block + ": " + result.error().message());
        }
        if (state != State.RUNNING || leases.liveCount(task) > 0) {
            return drainStep(now); // another attempt may still succeed (or will expire and be replaced)
        }
        if (leases.hasOutstanding(task)) {
            // Only expired attempts are out, and they may never answer: nothing else would re-dispatch
            // the task. Re-dispatch now, as an expiry does, keeping the task in the lease table so
            // that a late answer from an expired attempt still wins and this one becomes a duplicate.
            int attempts = leases.attempts(task);
            if (!settings.retry().mayRetry(attempts)) {
                return fail(now, describe(task, attempts) + " failed " + attempts + " times; last error: "
                        + result.error().message());
            }
            retries++;
            List<Dispatch> dispatch = new ArrayList<>();
            dispatch.add(dispatch(task, lease.level(), now, false));
            dispatch.addAll(fill(now));
            return new Actions(dispatch, List.of(), false);
        }
        return retry(task, lease.level(), now, result.error().message());
    }

    private Actions retry(Task task, int level, long now, String lastError) {
        int attempts = leases.attempts(task);
        if (!settings.retry().mayRetry(attempts)) {
            return fail(now, describe(task, attempts) + " failed " + attempts + " times; last error: " + lastError);
        }
        retries++;
        retryQueue.add(new Delayed(task, level, now + settings.retry().backoff(attempts).toNanos()));
        return new Actions(fill(now), List.of(), false);
    }

    private Actions succeeded(Task task, List<BlockId> outputs, int attempt, TaskResult result, long now) {
        List<LeaseTable.Lease> all = new ArrayList<>();
        if (leases.succeeded(task, all) == LeaseTable.Outcome.DUPLICATE) {
            duplicates++;
            return drainStep(now);
        }
        done++;
        flops += result.flops();
        bytesRead += result.bytesRead();
        bytesWritten += result.bytesWritten();
        if (result.kernelProvider() != null) {
            providers.add(result.kernelProvider());
        }
        String version = JobPlan.version(epoch, attempt);
        for (BlockId b : outputs) {
            winners.put(plan.key(b), version);
        }

        double busy = result.readSeconds() + result.computeSeconds() + result.writeSeconds();
        accounting.busy(busy);
        List<TaskSpec> cancels = new ArrayList<>();
        int level = 0;
        for (LeaseTable.Lease l : all) {
            if (l.attempt() == attempt) {
                level = l.level();
                stragglers.finished(kernel(task), now - l.dispatchedNanos());
                if (settings.trace()) {
                    spans.add(new TaskSpan(JobPlan.taskId(task), plan.program().describe(task), kernel(task),
                            result.worker(), attempt, (l.dispatchedNanos() - startNanos) / 1e9, (now - startNanos) / 1e9,
                            result.readSeconds(), result.computeSeconds(), result.writeSeconds()));
                }
            } else {
                cancels.add(spec(task, l.attempt()));
            }
        }
        if (journaled) {
            List<JobJournal.Block> written = new ArrayList<>(result.outputs().size());
            for (TaskResult.WrittenBlock w : result.outputs()) {
                written.add(new JobJournal.Block(w.key(), w.checksum()));
            }
            finishedSinceTaken.add(new JobJournal.FinishedTask(JobJournal.taskText(task), version, level, written,
                    result.flops(), result.bytesRead(), result.bytesWritten(), busy, result.kernelProvider()));
        }
        if (state == State.RUNNING) {
            int parentLevel = level;
            for (Task child : analyser.readersOf(outputs)) {
                frontier.parentFinished(child, parentLevel, analyser::parentCount);
            }
            collectIntermediates(task, outputs);
        }
        if (state == State.RUNNING && done == total) {
            return finishOrDrain(now, cancels);
        }
        if (state == State.DRAINING) {
            return new Actions(List.of(), cancels, drainStep(now).finished());
        }
        return new Actions(fill(now), cancels, false);
    }

    /** Counts the task's reads of intermediate blocks; a block whose last reader is done is deleted. */
    private void collectIntermediates(Task task, List<BlockId> outputs) {
        for (BlockId b : outputs) {
            if (plan.isIntermediate(b.matrix())) {
                peakIntermediates = Math.max(peakIntermediates, ++liveIntermediates);
            }
        }
        Set<BlockId> read = new LinkedHashSet<>(analyser.inputBlocks(task));
        for (BlockId b : read) {
            if (!plan.isIntermediate(b.matrix())) {
                continue;
            }
            int left = readsLeft.computeIfAbsent(b, analyser::readerCount) - 1;
            if (left <= 0) {
                readsLeft.remove(b);
                String key = plan.key(b);
                String version = winners.remove(key);
                if (version != null) {
                    pendingDeletes.add(JobPlan.versionedKey(key, version));
                    deletedSinceTaken++;
                }
                liveIntermediates--;
            } else {
                readsLeft.put(b, left);
            }
        }
    }

    public Actions onTick(long now) {
        return withStoreWork(ticked(now));
    }

    private Actions ticked(long now) {
        if (state == State.SUCCEEDED || state == State.FAILED) {
            return Actions.NONE;
        }
        if (state == State.DRAINING) {
            return drainStep(now);
        }
        List<Dispatch> dispatch = new ArrayList<>();
        for (LeaseTable.Lease expired : leases.expire(now)) {
            leaseExpiries++;
            if (leases.liveCount(expired.task()) == 0) {
                int attempts = leases.attempts(expired.task());
                if (!settings.retry().mayRetry(attempts)) {
                    for (Dispatch unsent : dispatch) { // granted earlier in this tick, never sent
                        unanswered.remove(new Attempt(unsent.task(), unsent.spec().attempt()));
                        leases.failed(unsent.task(), unsent.spec().attempt());
                    }
                    return fail(now, describe(expired.task(), attempts) + " did not answer within its lease "
                            + attempts + " times");
                }
                retries++;
                dispatch.add(dispatch(expired.task(), expired.level(), now, false));
            }
        }
        while (!retryQueue.isEmpty() && retryQueue.peek().dueNanos() <= now) {
            Delayed d = retryQueue.poll();
            frontier.requeue(d.task(), d.level());
        }
        for (LeaseTable.Lease l : leases.liveLeases()) {
            // A straggler may hold a worker that is gone, so its copy may exceed the concurrency
            // limit, by at most the limit again.
            if (leases.liveCount(l.task()) == 1 && leases.inFlight() < 2 * capacity
                    && stragglers.isStraggler(kernel(l.task()), now - l.dispatchedNanos())) {
                speculativeCopies++;
                dispatch.add(dispatch(l.task(), l.level(), now, true));
            }
        }
        dispatch.addAll(fill(now));
        return new Actions(dispatch, List.of(), false);
    }

    /** Fails the job on request; outstanding attempts are cancelled where the backend can. */
    public Actions cancel(long now, String reason) {
        if (state == State.SUCCEEDED || state == State.FAILED) {
            return Actions.NONE;
        }
        return withStoreWork(fail(now, plan.algorithm() + " job " + plan.jobId() + " was cancelled: " + reason));
    }

    /** The actions with the store work decided while computing them. */
    private Actions withStoreWork(Actions a) {
        if (pendingDeletes.isEmpty() && pendingCleanUp == CleanUp.NONE) {
            return a;
        }
        Actions out = new Actions(a.dispatch(), a.cancel(), pendingDeletes, pendingCleanUp, a.finished());
        pendingDeletes = new ArrayList<>();
        pendingCleanUp = CleanUp.NONE;
        return out;
    }

    private List<Dispatch> fill(long now) {
        int target = scaling.target(frontier.readyCount(), leases.inFlight());
        // A task in flight may be running on a worker of its own: never count fewer workers than that.
        int busyWorkers = Math.min(leases.inFlight(), scaling.maxWorkers());
        accounting.allocate(now, Math.max(target, busyWorkers));
        List<Dispatch> out = new ArrayList<>();
        if (state != State.RUNNING) {
            return out;
        }
        int slots = Math.min(capacity, scaling.slots(Math.max(target, 1)));
        while (leases.inFlight() < slots) {
            Frontier.Ready r = frontier.poll();
            if (r == null) {
                break;
            }
            out.add(dispatch(r.task(), r.level(), now, false));
        }
        return out;
    }

    private Dispatch dispatch(Task task, int level, long now, boolean speculative) {
        LeaseTable.Lease lease = leases.grant(task, level, now, leaseNanos(task), speculative);
        unanswered.put(new Attempt(task, lease.attempt()), lease.deadlineNanos());
        return new Dispatch(task, spec(task, lease.attempt()));
    }

    private TaskSpec spec(Task task, int attempt) {
        return plan.spec(task, attempt, JobPlan.version(epoch, attempt), winners::get);
    }

    private long leaseNanos(Task task) {
        long typical = stragglers.typicalNanos(kernel(task));
        long minimum = settings.minimumLease().toNanos();
        long nanos;
        if (typical < 0) {
            double estimate = settings.leaseFactor() * plan.estimatedFlops(task) / settings.assumedGflops();
            nanos = Math.min(settings.initialLease().toNanos(), Math.max(minimum, (long) Math.min(estimate, 9e18)));
        } else {
            nanos = Math.max(minimum, (long) (settings.leaseFactor() * typical));
        }
        return Math.min(nanos, maxLeaseNanos);
    }

    private String kernel(Task task) {
        return plan.program().kernel(task).name();
    }

    private boolean wroteExpectedBlocks(List<BlockId> expected, int attempt, TaskResult result) {
        if (result.outputs().size() != expected.size()) {
            return false;
        }
        String version = JobPlan.version(epoch, attempt);
        for (int i = 0; i < expected.size(); i++) {
            if (!result.outputs().get(i).key().equals(JobPlan.versionedKey(plan.key(expected.get(i)), version))) {
                return false;
            }
        }
        return true;
    }

    private static List<String> keys(TaskResult result) {
        return result.outputs().stream().map(TaskResult.WrittenBlock::key).toList();
    }

    private String describe(Task task, int attempt) {
        BoundProgram p = plan.program();
        return plan.algorithm() + " failed at step " + p.describe(task) + " (task " + JobPlan.taskId(task)
                + ", attempt " + attempt + ")";
    }

    private Actions fail(long now, String message) {
        if (failure == null) {
            failure = message;
            // The first failure starts the drain clock; later ones must not extend it.
            drainDeadline = now + settings.drainTimeout().toNanos();
        }
        state = State.DRAINING;
        frontier.clear();
        retryQueue.clear();
        List<TaskSpec> cancels = new ArrayList<>();
        for (LeaseTable.Lease l : leases.outstanding()) {
            cancels.add(spec(l.task(), l.attempt()));
        }
        if (!awaitingLiveAttempts(now)) {
            return finish(now);
        }
        return new Actions(List.of(), cancels, false);
    }

    private Actions finishOrDrain(long now, List<TaskSpec> cancels) {
        if (!awaitingLiveAttempts(now)) {
            Actions finished = finish(now);
            return new Actions(List.of(), cancels, finished.finished());
        }
        state = State.DRAINING;
        drainDeadline = now + settings.drainTimeout().toNanos();
        return new Actions(List.of(), cancels, false);
    }

    /** While draining: finish once every dispatched attempt has answered, or when the drain timeout passes. */
    private Actions drainStep(long now) {
        if (state != State.DRAINING) {
            return new Actions(fill(now), List.of(), false);
        }
        if (!awaitingLiveAttempts(now) || now >= drainDeadline) {
            return finish(now);
        }
        return Actions.NONE;
    }

    /** Forgets attempts whose lease has run out, and says whether any others are still out. */
    private boolean awaitingLiveAttempts(long now) {
        for (var it = unanswered.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue() <= now) {
                presumedDead.add(e.getKey());
                it.remove();
            }
        }
        return !unanswered.isEmpty();
    }

    /** Whether the finished job still expects answers from attempts it gave up on. */
    public boolean awaitingLateAnswers() {
        return (state == State.SUCCEEDED || state == State.FAILED) && !presumedDead.isEmpty();
    }

    /** The last sweep, at the late-write horizon: whatever never answered is given up for good. */
    public Actions finalSweep() {
        if (awaitingLateAnswers()) {
            presumedDead.clear();
            sweep();
        }
        return withStoreWork(Actions.NONE);
    }

    /** How many clean-ups ran after the job's first, for late writes. */
    public long lateSweeps() {
        return lateSweeps;
    }

    private void sweep() {
        lateSweeps++;
        pendingCleanUp = pendingCleanUp.and(state == State.SUCCEEDED ? CleanUp.INTERMEDIATES : CleanUp.INTERMEDIATES_AND_OUTPUTS);
    }

    private Actions finish(long now) {
        endNanos = now;
        presumedDead.addAll(unanswered.keySet());
        unanswered.clear();
        accounting.allocate(now, 0);
        if (failure == null) {
            String missing = missingOutput();
            if (missing != null) {
                failure = plan.algorithm() + " job " + plan.jobId() + " finished every task but output block " + missing
                        + " was never reported written";
            }
        }
        if (failure != null) {
            pendingCleanUp = pendingCleanUp.and(CleanUp.INTERMEDIATES_AND_OUTPUTS);
            state = State.FAILED;
        } else {
            pendingCleanUp = pendingCleanUp.and(CleanUp.INTERMEDIATES);
            state = State.SUCCEEDED;
        }
        return new Actions(List.of(), List.of(), true);
    }

    /** The key of the first output block that should exist and no successful result reported, or null. */
    private String missingOutput() {
        for (BlockMatrix m : plan.outputs().values()) {
            for (int i = 0; i < m.gridRows(); i++) {
                for (int j = 0; j < m.gridCols(); j++) {
                    if (!m.isStructuralZero(i, j) && !winners.containsKey(m.key(i, j))) {
                        return m.key(i, j);
                    }
                }
            }
        }
        return null;
    }

    /**
     * Each output's block versions (the attempts that won), once the job has succeeded: the most
     * common version is the matrix's common one, the others are listed. Null before success.
     */
    public Map<String, BlockVersions> outputVersions() {
        if (state != State.SUCCEEDED) {
            return null;
        }
        Map<String, BlockVersions> out = new HashMap<>();
        for (Map.Entry<String, BlockMatrix> e : plan.outputs().entrySet()) {
            String prefix = e.getValue().prefix();
            Map<String, String> byIndex = new HashMap<>();
            Map<String, Integer> counts = new HashMap<>();
            for (Map.Entry<String, String> w : winners.entrySet()) {
                if (w.getKey().startsWith(prefix) && w.getKey().indexOf('/', prefix.length()) < 0) {
                    byIndex.put(w.getKey().substring(prefix.length()), w.getValue());
                    counts.merge(w.getValue(), 1, Integer::sum);
                }
            }
            String common = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey)
                    .orElse(JobPlan.version(epoch, 1));
            byIndex.values().removeIf(common::equals);
            out.put(e.getKey(), new BlockVersions(common, byIndex));
        }
        return out;
    }

    /** The outputs' handles, reading the blocks that won, once the job has succeeded; empty before. */
    public Map<String, BlockMatrix> versionedOutputs() {
        Map<String, BlockVersions> versions = outputVersions();
        Map<String, BlockMatrix> out = new HashMap<>();
        if (versions != null) {
            plan.outputs().forEach((name, m) -> out.put(name, m.withVersions(versions.get(name))));
        }
        return out;
    }

    public JobProgress progress(long now) {
        long end = state == State.SUCCEEDED || state == State.FAILED ? endNanos : now;
        return new JobProgress(plan.jobId(), done, total, leases.inFlight(), frontier.readyCount(), flops,
                (end - startNanos) / 1e9, bytesRead, bytesWritten, retries, duplicates);
    }

    public JobReport report() {
        return new JobReport(plan.jobId(), plan.algorithm(), backend, List.copyOf(providers), (endNanos - startNanos) / 1e9,
                done - doneBefore, flops, bytesRead, bytesWritten, retries, duplicates, speculativeCopies, leaseExpiries,
                accounting.busySeconds(), accounting.allocatedSeconds(), accounting.fixedPoolSeconds(endNanos),
                peakIntermediates, List.copyOf(spans));
    }
}

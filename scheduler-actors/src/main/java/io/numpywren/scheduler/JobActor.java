package io.numpywren.scheduler;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * One event-sourced actor per job. It is thin on purpose: it feeds events (start, task answers,
 * timer ticks, cancellation) to a {@link JobCoordinator} and carries out what that returns,
 * sending tasks to the backend and answers back to itself, and events to subscribers.
 *
 * <p>Its journal ({@link JobJournal}) records the plan, each resumption, the tasks that finished
 * and the end, with snapshots of the coordinator's durable state, so a driver that died can be
 * resumed ({@link #resume}). Finished tasks are journaled in batches, after the coordinator has
 * already acted on them: dispatch never waits for the journal, and a task whose finish was not
 * journaled yet when the driver died counts as in flight and runs again. The outcome is told
 * only once the end is journaled and the store work decided before it is done.
 *
 * <p>Store work (deleting intermediates, sweeping) runs on Pekko's blocking-I/O dispatcher, one
 * piece at a time with deletes batched ({@link StoreWork}), never on the actor's thread.
 */
public final class JobActor extends EventSourcedBehavior<JobActor.Command, JobJournal.Event, JobActor.Durable> {

    /** Messages a job actor understands. */
    public sealed interface Command {
    }

    /** Stops the job: outstanding attempts are cancelled and intermediates and outputs removed. */
    public record Cancel(String reason) implements Command {
    }

    /** Adds a subscriber for progress events and the outcome. */
    public record Subscribe(ActorRef<JobEvent> subscriber) implements Command {
    }

    /** Asks for a progress snapshot now. */
    public record GetProgress(ActorRef<JobProgress> replyTo) implements Command {
    }

    private record Answered(Task task, int attempt, TaskResult result) implements Command {
    }

    private record LiveBlocksChecked(List<String> missing, Throwable error) implements Command {
    }

    private record StoreWorkDone(StoreWork.Piece piece, Throwable error) implements Command {
    }

    private enum Begin implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    private enum PublishProgress implements Command { INSTANCE }

    private enum LateWriteHorizon implements Command { INSTANCE }

    /** Journals the tasks finished since the last flush. */
    private enum Flush implements Command { INSTANCE }

    /** Looks again at what is left to do (after a journal write, whose callback cannot persist). */
    private enum Continue implements Command { INSTANCE }

    /** S3's DeleteObjects takes up to 1,000 keys. */
    static final int DELETE_BATCH = 1_000;

    /**
     * The job's state as the journal rebuilds it: the coordinator once the plan is known (it holds
     * the frontier, the blocks' versions and the totals), the incarnation, and how the job ended.
     */
    public static final class Durable {
        PlanDocument plan;
        long tasks;
        JobCoordinator coordinator;
        int epoch;
        JobJournal.Ended ended;
        /** True until recovery completes: finished tasks in the journal are replayed into the coordinator. */
        boolean replaying = true;
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final String jobId;
    /** The plan of a new job, or null when resuming one from its journal. */
    private final JobPlan submitted;
    private final ComputeBackend backend;
    private final BlockStore store;
    private final SchedulerSettings settings;
    private final JournalSettings journal;
    private final Executor io;
    private final List<ActorRef<JobEvent>> subscribers = new ArrayList<>();
    private final StoreWork storeWork = new StoreWork(DELETE_BATCH);
    /**
     * Store work decided by tasks whose finish is not journaled yet. It waits for the journal: a
     * driver that died before would resume with those tasks unfinished, and need what it deleted.
     */
    private List<String> deletesAwaitingJournal = new ArrayList<>();
    private JobCoordinator.CleanUp cleanUpAwaitingJournal = JobCoordinator.CleanUp.NONE;
    private boolean running;
    private boolean finished;
    private boolean endPersisting;
    /** A job that succeeded: its last finishes are journaled and its sweep released, before its end is journaled. */
    private boolean sweepingBeforeEnd;
    private boolean flushScheduled;
    private boolean outcomeTold;

    /** The behaviour of a new job that starts at once and reports to {@code subscriber}. */
    public static Behavior<Command> create(JobPlan plan, ComputeBackend backend, BlockStore store,
                                           SchedulerSettings settings, JournalSettings journal,
                                           ActorRef<JobEvent> subscriber) {
        return behavior(plan.jobId(), plan, backend, store, settings, journal, subscriber);
    }

    /**
     * The behaviour that resumes job {@code jobId} from its journal and reports to {@code subscriber}:
     * tasks journaled as finished are not run again (their blocks are checked to still be in the
     * store), everything else is. An unknown job, or one that already ended, is reported as failed.
     */
    public static Behavior<Command> resume(String jobId, ComputeBackend backend, BlockStore store,
                                           SchedulerSettings settings, JournalSettings journal,
                                           ActorRef<JobEvent> subscriber) {
        return behavior(jobId, null, backend, store, settings, journal, subscriber);
    }

    private static Behavior<Command> behavior(String jobId, JobPlan submitted, ComputeBackend backend, BlockStore store,
                                              SchedulerSettings settings, JournalSettings journal,
                                              ActorRef<JobEvent> subscriber) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new JobActor(context, timers, jobId, submitted,
                backend, store, settings, journal, subscriber)));
    }

    private JobActor(ActorContext<Command> context, TimerScheduler<Command> timers, String jobId, JobPlan submitted,
                     ComputeBackend backend, BlockStore store, SchedulerSettings settings, JournalSettings journal,
                     ActorRef<JobEvent> subscriber) {
        super(PersistenceId.of(JobJournal.ENTITY, jobId));
        this.context = context;
        this.timers = timers;
        this.jobId = jobId;
        this.submitted = submitted;
        this.backend = backend;
        this.store = store;
        this.settings = settings;
        this.journal = journal;
        this.io = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
        if (subscriber != null) {
            subscribers.add(subscriber);
        }
    }

    // ---------------------------------------------------------------- persistence

    @Override
    public Durable emptyState() {
        return new Durable();
    }

    @Override
    public String journalPluginId() {
        return journal.journalPluginId();
    }

    @Override
    public String snapshotPluginId() {
        return journal.snapshotPluginId();
    }

    /** Without a journal the plugin needs no configuration of the actor system's: embedding stays one line. */
    @Override
    public Optional<com.typesafe.config.Config> journalPluginConfig() {
        return journal.durable() ? Optional.empty() : Optional.of(journal.pekkoConfig());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return journal.durable() ? RetentionCriteria.snapshotEvery(journal.snapshotEvery(), 2) : RetentionCriteria.disabled();
    }

    /** Answers arrive while the journal writes; none may be dropped. */
    @Override
    public Optional<Integer> stashCapacity() {
        return Optional.of(1 << 22);
    }

    @Override
    public java.util.Set<String> tagsFor(JobJournal.Event event) {
        return event instanceof JobJournal.Started || event instanceof JobJournal.Ended
                ? java.util.Set.of(JobJournals.JOBS_TAG) : java.util.Set.of();
    }

    private JobCoordinator newCoordinator(PlanDocument plan, int epoch) {
        JobCoordinator coordinator = new JobCoordinator(plan.toPlan(store), settings, backend.name(),
                backend.capabilities(), epoch);
        coordinator.journaled(journal.durable());
        return coordinator;
    }

    @Override
    public EventHandler<Durable, JobJournal.Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState()
                .onEvent(JobJournal.Started.class, (s, e) -> {
                    s.plan = e.plan();
                    s.tasks = e.tasks();
                    s.coordinator = newCoordinator(e.plan(), 0);
                    s.coordinator.seed();
                    return s;
                })
                .onEvent(JobJournal.Resumed.class, (s, e) -> {
                    s.epoch = e.epoch();
                    return s;
                })
                .onEvent(JobJournal.TasksFinished.class, (s, e) -> {
                    if (s.replaying) { // live, the coordinator acted on them before they were journaled
                        e.tasks().forEach(s.coordinator::replayFinished);
                    }
                    return s;
                })
                .onEvent(JobJournal.Ended.class, (s, e) -> {
                    s.ended = e;
                    return s;
                })
                .build();
    }

    /**
     * Snapshots hold the coordinator's durable state, taken on this thread right after a journal
     * write, when every finished task it acted on is journaled (commands wait during the write).
     */
    @Override
    public SnapshotAdapter<Durable> snapshotAdapter() {
        return new SnapshotAdapter<>() {
            @Override
            public Object toJournal(Durable s) {
                return new JobJournal.Checkpoint(s.plan, s.tasks, s.epoch, s.coordinator.checkpoint(), s.ended);
            }

            @Override
            public Durable fromJournal(Object from) {
                JobJournal.Checkpoint c = (JobJournal.Checkpoint) from;
                Durable s = new Durable();
                s.plan = c.plan();
                s.tasks = c.tasks();
                s.epoch = c.epoch();
                s.ended = c.ended();
                s.coordinator = newCoordinator(c.plan(), c.epoch());
                s.coordinator.restore(c.state());
                return s;
            }
        };
    }

    @Override
    public SignalHandler<Durable> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), s -> {
                    s.replaying = false;
                    context.getSelf().tell(Begin.INSTANCE);
                })
                .onSignal(RecoveryFailed.class, (s, failed) -> tellFailure("cannot read the journal of job " + jobId
                        + " (" + journal.describe() + "): " + unwrapped(failed.getFailure())))
                .onSignal(PostStop.instance(), s -> tellFailure("the driver of job " + jobId + " stopped before the job "
                        + "ended (its journal could not be written, or the driver shut down)"
                        + (journal.durable() ? "; `numpywren resume " + jobId + "` goes on with it" : "")))
                .build();
    }

    // ---------------------------------------------------------------- commands

    @Override
    public CommandHandler<Command, JobJournal.Event, Durable> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Begin.class, (s, c) -> begin(s))
                .onCommand(LiveBlocksChecked.class, this::liveBlocksChecked)
                .onCommand(c -> !running, (s, c) -> Effect().stash())
                .onCommand(Answered.class, (s, a) -> carryOut(s, guarded(s,
                        () -> s.coordinator.onResult(a.task(), a.attempt(), a.result(), System.nanoTime()))))
                .onCommand(Tick.class, (s, c) -> carryOut(s, guarded(s, () -> s.coordinator.onTick(System.nanoTime()))))
                .onCommand(PublishProgress.class, (s, c) -> {
                    publishProgress(s);
                    return Effect().none();
                })
                .onCommand(LateWriteHorizon.class, (s, c) -> carryOut(s, s.coordinator.finalSweep()))
                .onCommand(StoreWorkDone.class, this::storeWorkDone)
                .onCommand(Flush.class, (s, c) -> flush(s))
                .onCommand(Continue.class, (s, c) -> next(s))
                .onCommand(Cancel.class, (s, c) -> carryOut(s, guarded(s,
                        () -> s.coordinator.cancel(System.nanoTime(), c.reason()))))
                .onCommand(Subscribe.class, (s, c) -> {
                    subscribers.add(c.subscriber());
                    return Effect().none();
                })
                .onCommand(GetProgress.class, (s, g) -> {
                    g.replyTo().tell(s.coordinator.progress(System.nanoTime()));
                    return Effect().none();
                })
                .build();
    }

    private Effect<JobJournal.Event, Durable> begin(Durable s) {
        if (submitted != null) {
            if (s.coordinator != null) {
                tellFailure("a job with id " + jobId + " is already in the journal (" + journal.describe() + ")");
                return Effect().stop();
            }
            JobJournal.Started started = new JobJournal.Started(PlanDocument.of(submitted), submitted.taskCount(),
                    System.currentTimeMillis());
            // The event seeds the coordinator with the program's starters.
            return Effect().persist(started).thenRun(st -> startRunning((Durable) st, () -> ((Durable) st).coordinator
                    .proceed(System.nanoTime(), 0))).thenUnstashAll();
        }
        if (s.coordinator == null) {
            tellFailure("there is no job " + jobId + " in the journal (" + journal.describe() + ")"
                    + (journal.durable() ? "" : ": journaling is off (numpywren.journal.kind = none)"));
            return Effect().stop();
        }
        if (s.ended != null) {
            tellFailure("job " + jobId + " already " + (s.ended.succeeded() ? "succeeded" : "failed: " + s.ended.message())
                    + " (at " + java.time.Instant.ofEpochMilli(s.ended.atMillis()) + "); there is nothing to resume");
            return Effect().stop();
        }
        // Before anything runs again: are the blocks of the finished tasks still in the store?
        JobPlan plan = s.coordinator.plan();
        Map<String, String> live = Map.copyOf(s.coordinator.liveBlocks());
        context.pipeToSelf(CompletableFuture.supplyAsync(() -> missingBlocks(plan, live), io),
                (missing, error) -> new LiveBlocksChecked(missing, error));
        return Effect().none();
    }

    /** The versioned keys of {@code live} that the store no longer holds. */
    private static List<String> missingBlocks(JobPlan plan, Map<String, String> live) {
        Set<String> stored = new HashSet<>();
        List<BlockMatrix> written = new ArrayList<>(plan.outputs().values());
        written.addAll(plan.intermediates());
        for (BlockMatrix m : written) {
            stored.addAll(m.store().list(m.prefix()));
        }
        List<String> missing = new ArrayList<>();
        live.forEach((key, version) -> {
            String versioned = JobPlan.versionedKey(key, version);
            if (!stored.contains(versioned)) {
                missing.add(versioned);
            }
        });
        java.util.Collections.sort(missing);
        return missing;
    }

    private Effect<JobJournal.Event, Durable> liveBlocksChecked(Durable s, LiveBlocksChecked checked) {
        if (checked.error() != null) {
            tellFailure("cannot resume job " + jobId + ": listing its blocks in " + store.description() + " failed: "
                    + unwrapped(checked.error()));
            return Effect().stop();
        }
        if (!checked.missing().isEmpty()) {
            tellFailure("cannot resume job " + jobId + ": " + checked.missing().size() + " block(s) that its finished "
                    + "tasks wrote are gone from " + store.description() + ", e.g. " + checked.missing().get(0)
                    + " (deleted, or this is not the job's store)");
            return Effect().stop();
        }
        int epoch = s.epoch + 1;
        return Effect().persist(new JobJournal.Resumed(epoch, System.currentTimeMillis()))
                .thenRun(st -> startRunning((Durable) st, () -> ((Durable) st).coordinator.proceed(System.nanoTime(), epoch)))
                .thenUnstashAll();
    }

    /** Starts the timers and carries out the first actions; what comes next is looked at by {@link Continue}. */
    private void startRunning(Durable s, Supplier<JobCoordinator.Actions> first) {
        running = true;
        timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
        timers.startTimerWithFixedDelay(PublishProgress.INSTANCE, settings.progressInterval());
        act(s, guarded(s, first));
        context.getSelf().tell(Continue.INSTANCE);
    }

    /** A bug or an unexpected store failure fails the job with its cause instead of killing the actor. */
    private JobCoordinator.Actions guarded(Durable s, Supplier<JobCoordinator.Actions> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            return s.coordinator.cancel(System.nanoTime(), "internal error in the scheduler: " + e);
        }
    }

    private Effect<JobJournal.Event, Durable> carryOut(Durable s, JobCoordinator.Actions actions) {
        act(s, actions);
        return next(s);
    }

    private void act(Durable s, JobCoordinator.Actions actions) {
        if (journal.durable() && s.ended == null) {
            deletesAwaitingJournal.addAll(actions.deletes());
            cleanUpAwaitingJournal = cleanUpAwaitingJournal.and(actions.cleanUp());
        } else {
            storeWork.add(actions);
            runStoreWork(s);
        }
        for (TaskSpec spec : actions.cancel()) {
            if (backend.capabilities().canCancel()) {
                backend.cancel(spec.jobId(), spec.taskId());
            }
        }
        for (JobCoordinator.Dispatch d : actions.dispatch()) {
            TaskSpec spec = d.spec();
            context.pipeToSelf(backend.submit(spec), (result, error) ->
                    new Answered(d.task(), spec.attempt(), result != null ? result : transportFailure(spec, error)));
        }
        finished |= actions.finished();
    }

    private Effect<JobJournal.Event, Durable> flush(Durable s) {
        flushScheduled = false;
        if (endPersisting || s.ended != null || !s.coordinator.hasUntakenFinished()) {
            return next(s);
        }
        Runnable release = releaseAfterJournal(false);
        return Effect().persist(s.coordinator.takeFinished()).thenRun(st -> {
            release.run();
            runStoreWork((Durable) st);
        });
    }

    /**
     * Takes the store work waiting for the journal, to release once what is being journaled now is
     * written: the deletes, and the sweep too when the job's end is being journaled.
     */
    private Runnable releaseAfterJournal(boolean ended) {
        List<String> deletes = deletesAwaitingJournal;
        JobCoordinator.CleanUp cleanUp = ended ? cleanUpAwaitingJournal : JobCoordinator.CleanUp.NONE;
        deletesAwaitingJournal = new ArrayList<>();
        if (ended) {
            cleanUpAwaitingJournal = JobCoordinator.CleanUp.NONE;
        }
        return () -> storeWork.add(new JobCoordinator.Actions(List.of(), List.of(), deletes, cleanUp, false));
    }

    /** The next piece of store work, if none is running, on the blocking-I/O dispatcher. */
    private void runStoreWork(Durable s) {
        StoreWork.Piece piece = storeWork.start();
        if (piece == null) {
            return;
        }
        JobPlan plan = s.coordinator.plan();
        // Read on this thread: the coordinator is not shared.
        var versions = piece.cleanUp() == JobCoordinator.CleanUp.INTERMEDIATES ? s.coordinator.outputVersions() : null;
        CompletableFuture<Void> work = CompletableFuture.runAsync(() -> {
            if (!piece.deletes().isEmpty()) {
                store.deleteAll(piece.deletes());
            } else {
                plan.sweep(versions);
            }
        }, io);
        context.pipeToSelf(work, (ok, error) -> new StoreWorkDone(piece, error));
    }

    private Effect<JobJournal.Event, Durable> storeWorkDone(Durable s, StoreWorkDone done) {
        storeWork.finished();
        if (done.error() != null) {
            // Not the job's failure: intermediates left by a failed delete go with the sweep, which lists them.
            Throwable cause = unwrapped(done.error());
            context.getLog().warn("job {}: {} failed: {}", jobId,
                    done.piece().deletes().isEmpty() ? "sweeping below " + s.coordinator.plan().namespace()
                            : "deleting " + done.piece().deletes().size() + " intermediate blocks", cause.toString());
        }
        runStoreWork(s);
        return next(s);
    }

    /**
     * What comes next: the finished tasks go to the journal in the background (one flush at a
     * time, batching what finishes meanwhile); once the job is over, its end is journaled, then,
     * when the store work decided until then is done, the outcome is told. While attempts it gave
     * up on may still write, it waits for their answers (each one that wrote blocks sweeps) until
     * none is left or the late-write horizon passes, which sweeps once more; and it stops when no
     * store work is left.
     */
    private Effect<JobJournal.Event, Durable> next(Durable s) {
        JobCoordinator coordinator = s.coordinator;
        if (finished && s.ended == null && !endPersisting && journal.durable()
                && coordinator.state() == JobCoordinator.State.SUCCEEDED) {
            // Every finish journaled, then the sweep (and the outputs' versions in their headers), then the
            // end: a driver killed before the end is resumed, finds every task finished, and sweeps again.
            if (!sweepingBeforeEnd) {
                sweepingBeforeEnd = true;
                Runnable release = releaseAfterJournal(true);
                if (coordinator.hasUntakenFinished()) {
                    return Effect().persist(coordinator.takeFinished()).thenRun(st -> {
                        release.run();
                        runStoreWork((Durable) st);
                        context.getSelf().tell(Continue.INSTANCE);
                    });
                }
                release.run();
                runStoreWork(s);
            }
            if (!storeWork.idle()) {
                return Effect().none(); // the sweep's completion comes back here
            }
        }
        if (finished && s.ended == null && !endPersisting) {
            endPersisting = true;
            List<JobJournal.Event> events = new ArrayList<>();
            if (coordinator.hasUntakenFinished()) {
                events.add(coordinator.takeFinished());
            }
            events.add(new JobJournal.Ended(coordinator.state().name(), coordinator.failure(), System.currentTimeMillis()));
            Runnable release = releaseAfterJournal(true);
            return Effect().persist(events).thenRun(st -> {
                release.run();
                runStoreWork((Durable) st);
                context.getSelf().tell(Continue.INSTANCE);
            });
        }
        if (finished && s.ended != null && !outcomeTold && storeWork.idle()) {
            outcomeTold = true;
            JobEvent outcome = coordinator.state() == JobCoordinator.State.SUCCEEDED
                    ? new JobEvent.Succeeded(coordinator.report(), coordinator.versionedOutputs())
                    : new JobEvent.Failed(jobId, coordinator.failure(), coordinator.report());
            for (ActorRef<JobEvent> subscriber : subscribers) {
                subscriber.tell(new JobEvent.Progress(coordinator.progress(System.nanoTime())));
                subscriber.tell(outcome);
            }
            timers.cancelAll();
            if (coordinator.awaitingLateAnswers()) {
                timers.startSingleTimer(LateWriteHorizon.INSTANCE, settings.lateWriteHorizon());
            }
        }
        if (outcomeTold && !coordinator.awaitingLateAnswers() && storeWork.idle()) {
            return Effect().stop();
        }
        if (!finished && !flushScheduled && coordinator.hasUntakenFinished()) {
            flushScheduled = true; // the tasks that finish meanwhile join the batch
            timers.startSingleTimer(Flush.INSTANCE, journal.flushInterval());
        }
        return Effect().none();
    }

    private void tellFailure(String message) {
        if (outcomeTold) {
            return;
        }
        outcomeTold = true;
        for (ActorRef<JobEvent> subscriber : subscribers) {
            subscriber.tell(new JobEvent.Failed(jobId, message, null));
        }
    }

    private static TaskResult transportFailure(TaskSpec spec, Throwable error) {
        Throwable cause = unwrapped(error);
        String message = cause instanceof CancellationException ? "cancelled before it ran" : String.valueOf(cause);
        return TaskResult.failure(spec, null, TaskError.transientError("transport", message));
    }

    /** A future's failure without the CompletionException around it. */
    private static Throwable unwrapped(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private void publishProgress(Durable s) {
        JobEvent.Progress p = new JobEvent.Progress(s.coordinator.progress(System.nanoTime()));
        for (ActorRef<JobEvent> subscriber : subscribers) {
            subscriber.tell(p);
        }
    }
}

package io.numpywren.scheduler;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.lambdapack.Task;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * One actor per job. It is thin on purpose: it feeds events (start, task answers, timer
 * ticks, cancellation) to a {@link JobCoordinator} and carries out what that returns,
 * sending tasks to the backend and answers back to itself, and events to subscribers. Store
 * work (deleting intermediates, cleaning up) runs on Pekko's blocking-I/O dispatcher, one piece
 * at a time with deletes batched ({@link StoreWork}), never on the actor's thread: dispatch goes
 * on while the store is slow. The outcome is told once the store work decided before it is done.
 */
public final class JobActor extends AbstractBehavior<JobActor.Command> {

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

    private enum Tick implements Command { INSTANCE }

    private enum PublishProgress implements Command { INSTANCE }

    private enum LateWriteHorizon implements Command { INSTANCE }

    private record StoreWorkDone(StoreWork.Piece piece, Throwable error) implements Command {
    }

    /** S3's DeleteObjects takes up to 1,000 keys. */
    static final int DELETE_BATCH = 1_000;

    private final JobCoordinator coordinator;
    private final ComputeBackend backend;
    private final BlockStore store;
    private final Executor io;
    private final TimerScheduler<Command> timers;
    private final Duration lateWriteHorizon;
    private final List<ActorRef<JobEvent>> subscribers = new ArrayList<>();
    private final StoreWork storeWork = new StoreWork(DELETE_BATCH);
    private boolean finished;
    private boolean outcomeTold;

    /** The behaviour of a job that starts at once and reports to {@code subscriber}. */
    public static Behavior<Command> create(JobPlan plan, ComputeBackend backend, BlockStore store,
                                           SchedulerSettings settings, ActorRef<JobEvent> subscriber) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            JobCoordinator coordinator = new JobCoordinator(plan, settings, backend.name(), backend.capabilities());
            Executor io = context.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
            JobActor actor = new JobActor(context, coordinator, backend, store, io, subscriber, timers,
                    settings.lateWriteHorizon());
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
            timers.startTimerWithFixedDelay(PublishProgress.INSTANCE, settings.progressInterval());
            return actor.carryOut(actor.guarded(() -> coordinator.start(System.nanoTime())));
        }));
    }

    private JobActor(ActorContext<Command> context, JobCoordinator coordinator, ComputeBackend backend, BlockStore store,
                     Executor io, ActorRef<JobEvent> subscriber, TimerScheduler<Command> timers, Duration lateWriteHorizon) {
        super(context);
        this.coordinator = coordinator;
        this.backend = backend;
        this.store = store;
        this.io = io;
        this.timers = timers;
        this.lateWriteHorizon = lateWriteHorizon;
        if (subscriber != null) {
            subscribers.add(subscriber);
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Answered.class, a -> carryOut(guarded(
                        () -> coordinator.onResult(a.task(), a.attempt(), a.result(), System.nanoTime()))))
                .onMessageEquals(Tick.INSTANCE, () -> carryOut(guarded(() -> coordinator.onTick(System.nanoTime()))))
                .onMessageEquals(PublishProgress.INSTANCE, this::publishProgress)
                .onMessageEquals(LateWriteHorizon.INSTANCE, () -> carryOut(coordinator.finalSweep()))
                .onMessage(StoreWorkDone.class, this::storeWorkDone)
                .onMessage(Cancel.class, c -> carryOut(guarded(() -> coordinator.cancel(System.nanoTime(), c.reason()))))
                .onMessage(Subscribe.class, s -> {
                    subscribers.add(s.subscriber());
                    return this;
                })
                .onMessage(GetProgress.class, g -> {
                    g.replyTo().tell(coordinator.progress(System.nanoTime()));
                    return this;
                })
                .build();
    }

    /** A bug or an unexpected store failure fails the job with its cause instead of killing the actor. */
    private JobCoordinator.Actions guarded(java.util.function.Supplier<JobCoordinator.Actions> step) {
        try {
            return step.get();
        } catch (RuntimeException e) {
            return coordinator.cancel(System.nanoTime(), "internal error in the scheduler: " + e);
        }
    }

    private Behavior<Command> carryOut(JobCoordinator.Actions actions) {
        storeWork.add(actions);
        runStoreWork();
        for (TaskSpec spec : actions.cancel()) {
            if (backend.capabilities().canCancel()) {
                backend.cancel(spec.jobId(), spec.taskId());
            }
        }
        for (JobCoordinator.Dispatch d : actions.dispatch()) {
            TaskSpec spec = d.spec();
            getContext().pipeToSelf(backend.submit(spec), (result, error) ->
                    new Answered(d.task(), spec.attempt(), result != null ? result : transportFailure(spec, error)));
        }
        finished |= actions.finished();
        return next();
    }

    /** The next piece of store work, if none is running, on the blocking-I/O dispatcher. */
    private void runStoreWork() {
        StoreWork.Piece piece = storeWork.start();
        if (piece == null) {
            return;
        }
        JobPlan plan = coordinator.plan();
        CompletableFuture<Void> work = CompletableFuture.runAsync(() -> {
            if (!piece.deletes().isEmpty()) {
                store.deleteAll(piece.deletes());
            } else {
                plan.cleanUp(piece.cleanUp() == JobCoordinator.CleanUp.INTERMEDIATES);
            }
        }, io);
        getContext().pipeToSelf(work, (ok, error) -> new StoreWorkDone(piece, error));
    }

    private Behavior<Command> storeWorkDone(StoreWorkDone done) {
        storeWork.finished();
        if (done.error() != null) {
            // Not the job's failure: intermediates left by a failed delete go with the clean-up, which lists them.
            Throwable cause = unwrapped(done.error());
            getContext().getLog().warn("job {}: {} failed: {}", coordinator.plan().jobId(),
                    done.piece().deletes().isEmpty() ? "cleaning up below " + coordinator.plan().namespace()
                            : "deleting " + done.piece().deletes().size() + " intermediate blocks", cause.toString());
        }
        runStoreWork();
        return next();
    }

    /**
     * Once the job is over and the store work decided until then is done, tells the outcome. Then,
     * while attempts it gave up on may still write, waits for their answers (each one that wrote
     * blocks triggers a sweep) until none is left or the late-write horizon passes, which sweeps
     * once more; and stops when no store work is left.
     */
    private Behavior<Command> next() {
        if (finished && !outcomeTold && storeWork.idle()) {
            outcomeTold = true;
            JobEvent outcome = coordinator.state() == JobCoordinator.State.SUCCEEDED
                    ? new JobEvent.Succeeded(coordinator.report())
                    : new JobEvent.Failed(coordinator.plan().jobId(), coordinator.failure(), coordinator.report());
            for (ActorRef<JobEvent> s : subscribers) {
                s.tell(new JobEvent.Progress(coordinator.progress(System.nanoTime())));
                s.tell(outcome);
            }
            timers.cancelAll();
            if (coordinator.awaitingLateAnswers()) {
                timers.startSingleTimer(LateWriteHorizon.INSTANCE, lateWriteHorizon);
            }
        }
        if (outcomeTold && !coordinator.awaitingLateAnswers() && storeWork.idle()) {
            return Behaviors.stopped();
        }
        return this;
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

    private Behavior<Command> publishProgress() {
        JobEvent.Progress p = new JobEvent.Progress(coordinator.progress(System.nanoTime()));
        for (ActorRef<JobEvent> s : subscribers) {
            s.tell(p);
        }
        return this;
    }
}

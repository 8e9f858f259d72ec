package io.numpywren.scheduler;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.lambdapack.Task;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * One actor per job. It is thin on purpose: it feeds events (start, task answers, timer
 * ticks, cancellation) to a {@link JobCoordinator} and carries out what that returns,
 * sending tasks to the backend and answers back to itself, and events to subscribers.
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

    private final JobCoordinator coordinator;
    private final ComputeBackend backend;
    private final TimerScheduler<Command> timers;
    private final Duration lateWriteHorizon;
    private final List<ActorRef<JobEvent>> subscribers = new ArrayList<>();

    /** The behaviour of a job that starts at once and reports to {@code subscriber}. */
    public static Behavior<Command> create(JobPlan plan, ComputeBackend backend, BlockStore store,
                                           SchedulerSettings settings, ActorRef<JobEvent> subscriber) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            JobCoordinator coordinator = new JobCoordinator(plan, settings, backend.name(), backend.capabilities(), store);
            JobActor actor = new JobActor(context, coordinator, backend, subscriber, timers,
                    settings.lateWriteHorizon());
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
            timers.startTimerWithFixedDelay(PublishProgress.INSTANCE, settings.progressInterval());
            return actor.carryOut(actor.guarded(() -> coordinator.start(System.nanoTime())));
        }));
    }

    private JobActor(ActorContext<Command> context, JobCoordinator coordinator, ComputeBackend backend,
                     ActorRef<JobEvent> subscriber, TimerScheduler<Command> timers, Duration lateWriteHorizon) {
        super(context);
        this.coordinator = coordinator;
        this.backend = backend;
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
        if (actions.finished()) {
            JobEvent outcome = coordinator.state() == JobCoordinator.State.SUCCEEDED
                    ? new JobEvent.Succeeded(coordinator.report())
                    : new JobEvent.Failed(coordinator.plan().jobId(), coordinator.failure(), coordinator.report());
            for (ActorRef<JobEvent> s : subscribers) {
                s.tell(new JobEvent.Progress(coordinator.progress(System.nanoTime())));
                s.tell(outcome);
            }
            if (coordinator.awaitingLateAnswers()) {
                return lingerForLateWrites();
            }
            return Behaviors.stopped();
        }
        return this;
    }

    /**
     * The job is over and its caller has the outcome, but attempts it gave up on may still write:
     * listen for their answers (each one that wrote blocks triggers a sweep) until none is left
     * or the horizon passes, which sweeps once more.
     */
    private Behavior<Command> lingerForLateWrites() {
        timers.cancelAll();
        timers.startSingleTimer(LateWriteHorizon.INSTANCE, lateWriteHorizon);
        return Behaviors.receive(Command.class)
                .onMessage(Answered.class, a -> {
                    guarded(() -> coordinator.onResult(a.task(), a.attempt(), a.result(), System.nanoTime()));
                    return coordinator.awaitingLateAnswers() ? Behaviors.same() : Behaviors.stopped();
                })
                .onMessageEquals(LateWriteHorizon.INSTANCE, () -> {
                    coordinator.finalSweep();
                    return Behaviors.stopped();
                })
                .onMessage(GetProgress.class, g -> {
                    g.replyTo().tell(coordinator.progress(System.nanoTime()));
                    return Behaviors.same();
                })
                .onAnyMessage(m -> Behaviors.same())
                .build();
    }

    private static TaskResult transportFailure(TaskSpec spec, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        String message = cause instanceof CancellationException ? "cancelled before it ran" : String.valueOf(cause);
        return TaskResult.failure(spec, null, TaskError.transientError("transport", message));
    }

    private Behavior<Command> publishProgress() {
        JobEvent.Progress p = new JobEvent.Progress(coordinator.progress(System.nanoTime()));
        for (ActorRef<JobEvent> s : subscribers) {
            s.tell(p);
        }
        return this;
    }
}

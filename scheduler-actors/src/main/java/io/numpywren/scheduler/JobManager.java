package io.numpywren.scheduler;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The embeddable entry point: spawn {@link #create} in your own {@code ActorSystem}, send it
 * {@link SubmitJob}, and receive the job's {@link JobEvent}s (progress, then its outcome).
 *
 * <pre>{@code
 * ActorRef<JobManager.Command> jobs = context.spawn(JobManager.create(backend, store, settings), "numpywren");
 * jobs.tell(new JobManager.SubmitJob(plan, myEventListener));
 * }</pre>
 */
public final class JobManager {
    /** Messages the manager understands. */
    public sealed interface Command {
    }

    /** Starts a job; its events go to {@code replyTo}. */
    public record SubmitJob(JobPlan plan, ActorRef<JobEvent> replyTo) implements Command {
    }

    /** Starts a job whose events go to a callback (run on an actor thread; keep it short). */
    public record SubmitJobWithCallback(JobPlan plan, Consumer<JobEvent> callback) implements Command {
    }

    /** Cancels a running job; unknown or finished jobs are ignored. */
    public record CancelJob(String jobId, String reason) implements Command {
    }

    /**
     * Cancels every running job (a driver shutting down on Ctrl-C), and every job submitted after
     * it; each still reports its outcome.
     */
    public record CancelAll(String reason) implements Command {
    }

    private record JobStopped(String jobId) implements Command {
    }

    private JobManager() {
    }

    public static Behavior<Command> create(ComputeBackend backend, BlockStore store, SchedulerSettings settings) {
        return Behaviors.setup(context -> {
            Map<String, ActorRef<JobActor.Command>> running = new HashMap<>();
            String[] cancelledAll = {null};
            return Behaviors.<Command>receive((ctx, message) -> {
                if (message instanceof SubmitJob s) {
                    start(ctx, running, s.plan(), s.replyTo(), backend, store, settings, cancelledAll[0]);
                } else if (message instanceof SubmitJobWithCallback s) {
                    ActorRef<JobEvent> listener = ctx.spawn(callbackListener(s.callback()),
                            "events-" + s.plan().jobId());
                    start(ctx, running, s.plan(), listener, backend, store, settings, cancelledAll[0]);
                } else if (message instanceof CancelJob c) {
                    ActorRef<JobActor.Command> job = running.get(c.jobId());
                    if (job != null) {
                        job.tell(new JobActor.Cancel(c.reason()));
                    }
                } else if (message instanceof CancelAll c) {
                    cancelledAll[0] = c.reason();
                    for (ActorRef<JobActor.Command> job : running.values()) {
                        job.tell(new JobActor.Cancel(c.reason()));
                    }
                } else if (message instanceof JobStopped stopped) {
                    running.remove(stopped.jobId());
                }
                return Behaviors.same();
            });
        });
    }

    private static void start(org.apache.pekko.actor.typed.javadsl.ActorContext<Command> ctx,
                              Map<String, ActorRef<JobActor.Command>> running, JobPlan plan,
                              ActorRef<JobEvent> replyTo, ComputeBackend backend, BlockStore store,
                              SchedulerSettings settings, String cancelledAll) {
        if (cancelledAll != null) {
            replyTo.tell(new JobEvent.Failed(plan.jobId(), plan.algorithm() + " job " + plan.jobId()
                    + " was cancelled before it started: " + cancelledAll, null));
            return;
        }
        if (running.containsKey(plan.jobId())) {
            replyTo.tell(new JobEvent.Failed(plan.jobId(), "a job with id " + plan.jobId() + " is already running", null));
            return;
        }
        ActorRef<JobActor.Command> job = ctx.spawn(JobActor.create(plan, backend, store, settings, replyTo),
                "job-" + plan.jobId());
        ctx.watchWith(job, new JobStopped(plan.jobId()));
        running.put(plan.jobId(), job);
    }

    /** Passes events to a callback and stops after the outcome. */
    private static Behavior<JobEvent> callbackListener(Consumer<JobEvent> callback) {
        return Behaviors.receive((ctx, event) -> {
            callback.accept(event);
            return event instanceof JobEvent.Progress ? Behaviors.same() : Behaviors.stopped();
        });
    }
}

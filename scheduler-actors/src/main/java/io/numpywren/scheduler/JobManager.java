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
 * {@link SubmitJob} (or {@link ResumeJob}), and receive the job's {@link JobEvent}s (progress,
 * then its outcome).
 *
 * <pre>{@code
 * JournalSettings journal = JournalSettings.from(config, "file:/data/blocks"); // or JournalSettings.none()
 * // the actor system's configuration must include journal.pekkoConfig()
 * ActorRef<JobManager.Command> jobs = context.spawn(JobManager.create(backend, store, settings, journal), "numpywren");
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

    /** Resumes a job whose driver died from its journal; its events go to {@code replyTo}. */
    public record ResumeJob(String jobId, ActorRef<JobEvent> replyTo) implements Command {
    }

    /** Resumes a job whose events go to a callback (run on an actor thread; keep it short). */
    public record ResumeJobWithCallback(String jobId, Consumer<JobEvent> callback) implements Command {
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

    /** Jobs that are not journaled: they cannot be resumed. */
    public static Behavior<Command> create(ComputeBackend backend, BlockStore store, SchedulerSettings settings) {
        return create(backend, store, settings, JournalSettings.none());
    }

    /** Jobs journaled as {@code journal} says; the actor system needs {@link JournalSettings#pekkoConfig()}. */
    public static Behavior<Command> create(ComputeBackend backend, BlockStore store, SchedulerSettings settings,
                                           JournalSettings journal) {
        return Behaviors.setup(context -> {
            Map<String, ActorRef<JobActor.Command>> running = new HashMap<>();
            String[] cancelledAll = {null};
            return Behaviors.<Command>receive((ctx, message) -> {
                if (message instanceof SubmitJob s) {
                    start(ctx, running, s.plan().jobId(), s.plan(), s.replyTo(), backend, store, settings, journal,
                            cancelledAll[0]);
                } else if (message instanceof SubmitJobWithCallback s) {
                    ActorRef<JobEvent> listener = ctx.spawn(callbackListener(s.callback()),
                            "events-" + s.plan().jobId());
                    start(ctx, running, s.plan().jobId(), s.plan(), listener, backend, store, settings, journal,
                            cancelledAll[0]);
                } else if (message instanceof ResumeJob r) {
                    start(ctx, running, r.jobId(), null, r.replyTo(), backend, store, settings, journal, cancelledAll[0]);
                } else if (message instanceof ResumeJobWithCallback r) {
                    ActorRef<JobEvent> listener = ctx.spawn(callbackListener(r.callback()), "events-" + r.jobId());
                    start(ctx, running, r.jobId(), null, listener, backend, store, settings, journal, cancelledAll[0]);
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

    /** Starts {@code plan}, or resumes job {@code jobId} from its journal when {@code plan} is null. */
    private static void start(org.apache.pekko.actor.typed.javadsl.ActorContext<Command> ctx,
                              Map<String, ActorRef<JobActor.Command>> running, String jobId, JobPlan plan,
                              ActorRef<JobEvent> replyTo, ComputeBackend backend, BlockStore store,
                              SchedulerSettings settings, JournalSettings journal, String cancelledAll) {
        if (cancelledAll != null) {
            replyTo.tell(new JobEvent.Failed(jobId, (plan == null ? "job " : plan.algorithm() + " job ") + jobId
                    + " was cancelled before it started: " + cancelledAll, null));
            return;
        }
        if (journal.durable() && !ctx.getSystem().settings().config().hasPath(JournalSettings.JOURNAL_PLUGIN)) {
            replyTo.tell(new JobEvent.Failed(jobId, "job " + jobId + " cannot be journaled: the actor system's "
                    + "configuration lacks numpywren's journal plugins; include JournalSettings.pekkoConfig() in it", null));
            return;
        }
        if (running.containsKey(jobId)) {
            replyTo.tell(new JobEvent.Failed(jobId, "a job with id " + jobId + " is already running", null));
            return;
        }
        Behavior<JobActor.Command> behavior = plan != null
                ? JobActor.create(plan, backend, store, settings, journal, replyTo)
                : JobActor.resume(jobId, backend, store, settings, journal, replyTo);
        ActorRef<JobActor.Command> job = ctx.spawn(behavior, "job-" + jobId);
        ctx.watchWith(job, new JobStopped(jobId));
        running.put(jobId, job);
    }

    /** Passes events to a callback and stops after the outcome. */
    private static Behavior<JobEvent> callbackListener(Consumer<JobEvent> callback) {
        return Behaviors.receive((ctx, event) -> {
            callback.accept(event);
            return event instanceof JobEvent.Progress ? Behaviors.same() : Behaviors.stopped();
        });
    }
}

package io.numpywren.scheduler;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.codec.BlockCodec;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BlockId;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Plans a job without running it: the real {@link JobCoordinator} (the real analyser over the real
 * LAmbdaPACK DAG, its leases, retries, speculation, provisioning and intermediate deletion) on a
 * discrete-event simulation of a platform ({@link PlatformModel}) in simulated time, where nothing
 * sleeps. Tasks take the time the model gives their reads, kernel and writes; workers start cold
 * once and stay warm; at most the model's concurrency run at once and the rest wait in line.
 *
 * <p>The driver is simulated as what it is, one thread: each event waits until the driver is free,
 * and the driver is then busy for as long as the coordinator really took to handle it on this
 * machine, so a driver that cannot keep up delays dispatch in the plan as it would in a run. Its
 * store work (deletes, the clean-up) runs on a lane of its own, as the job actor's does, at the
 * model's latency per request.
 */
public final class Planner {
    /**
     * A planned job: the report a run would print, in simulated time, and what the simulation saw.
     *
     * @param report              the coordinator's own report (wall time, tasks, bytes, worker-seconds, ...)
     * @param storeWorkDoneSeconds when the driver's store work was done (the outcome waits for it)
     * @param peakWorkers         the most workers running at once
     * @param coldStarts          workers started cold
     * @param deaths              attempts whose worker died (injected)
     * @param stragglers          attempts that ran slow (injected)
     * @param workerStoreRequests the workers' store requests (one per block read or written)
     * @param driverStoreRequests the driver's store requests (deletes, listings)
     * @param driverBusySeconds   the driver's time handling events, as measured on this machine
     * @param driverBusyFraction  that over the simulated wall time
     * @param events              events simulated
     * @param planningSeconds     how long planning took here
     * @param criticalPathTasks   the longest chain of tasks, each waiting for the one before
     * @param series              the job over simulated time, when asked for (else empty)
     */
    public record Plan(JobReport report, double storeWorkDoneSeconds, int peakWorkers, long coldStarts, long deaths,
                       long stragglers, long workerStoreRequests, long driverStoreRequests, double driverBusySeconds,
                       double driverBusyFraction, long events, double planningSeconds, int criticalPathTasks,
                       List<Sample> series) {
    }

    /**
     * The job at one moment of simulated time: workers running, tasks ready and waiting, tasks
     * done, and how far along its critical path it is (the longest chain of tasks finished so far).
     */
    public record Sample(double seconds, int runningWorkers, int readyTasks, long tasksDone, int criticalPathDone) {
    }

    /** At most this many samples are kept: beyond it, every other one is dropped and the stride doubles. */
    private static final int MAX_SAMPLES = 2_000;

    private enum Kind { ANSWER, DIED, TICK, STORE_WORK_DONE }

    private record Event(long at, long seq, Kind kind, JobCoordinator.Dispatch dispatch, TaskResult result, int worker) {
    }

    private final JobPlan job;
    private final PlatformModel model;
    private final SchedulerSettings settings;
    private final int workers;
    private final SplittableRandom random;
    private final Analyser analyser;
    private final PriorityQueue<Event> events =
            new PriorityQueue<>(Comparator.comparingLong(Event::at).thenComparingLong(Event::seq));
    private final Deque<JobCoordinator.Dispatch> waiting = new ArrayDeque<>();
    private final Deque<Integer> warm = new ArrayDeque<>();
    private final StoreWork storeWork;
    private long seq;
    private int freeSlots;
    private int running;
    private int created;
    private int peakWorkers;
    private long coldStarts;
    private long deaths;
    private long stragglers;
    private long workerRequests;
    private long driverRequests;
    private long driverFree;
    private long driverBusy;
    private long storeWorkDoneAt;
    private boolean finished;
    private long eventCount;
    private final boolean recordSeries;
    private final List<Sample> series = new ArrayList<>();
    private final java.util.Map<Task, Integer> depth = new java.util.HashMap<>();
    private int depthDone;
    private int sampleStride = 1;
    private long ticks;

    private Planner(JobPlan job, PlatformModel model, SchedulerSettings settings, int workers, long seed,
                    boolean recordSeries) {
        this.job = job;
        this.recordSeries = recordSeries;
        this.model = model;
        this.settings = settings;
        this.workers = workers;
        this.random = new SplittableRandom(seed);
        this.analyser = job.program().analyser();
        this.storeWork = new StoreWork(model.keysPerDelete());
        this.freeSlots = workers;
    }

    /**
     * Plans {@code job} on {@code model} with at most {@code workers} workers (the model's
     * concurrency when not positive); {@code seed} decides the injected faults.
     */
    public static Plan plan(JobPlan job, PlatformModel model, SchedulerSettings settings, int workers, long seed) {
        return plan(job, model, settings, workers, seed, false);
    }

    /** As above; with {@code series}, the plan also records the job over simulated time ({@link Sample}). */
    public static Plan plan(JobPlan job, PlatformModel model, SchedulerSettings settings, int workers, long seed,
                            boolean series) {
        int w = workers > 0 ? Math.min(workers, model.maxConcurrency()) : model.maxConcurrency();
        return new Planner(job, model, settings, w, seed, series).run();
    }

    /** What the coordinator is told of the simulated backend. */
    private BackendCapabilities capabilities() {
        return new BackendCapabilities(workers, Duration.ofMinutes(15), Long.MAX_VALUE, true, model.memoryBytes());
    }

    private Plan run() {
        long began = System.nanoTime();
        JobCoordinator coordinator = new JobCoordinator(job, settings, model.name(), capabilities());
        long tick = Math.max(1, settings.tick().toNanos());
        handle(0, coordinator::start);
        schedule(tick, Kind.TICK, null, null, -1);
        while (!finished) {
            Event e = events.poll();
            if (e == null) {
                throw new IllegalStateException("the simulation of " + job.jobId() + " ran out of events before the job "
                        + "finished: a bug in the planner or the coordinator");
            }
            eventCount++;
            switch (e.kind()) {
                case TICK -> {
                    handle(e.at(), coordinator::onTick);
                    schedule(e.at() + tick, Kind.TICK, null, null, -1);
                    if (recordSeries) {
                        sample(coordinator, e.at());
                    }
                }
                case STORE_WORK_DONE -> storeWorkDone(e.at());
                case DIED -> {
                    release(e.worker(), false);
                    startWaiting(e.at());
                }
                case ANSWER -> {
                    if (e.worker() >= 0) {
                        release(e.worker(), true);
                        startWaiting(e.at());
                    }
                    Task task = e.dispatch().task();
                    int attempt = e.dispatch().spec().attempt();
                    if (recordSeries && e.result().ok() && !depth.containsKey(task)) {
                        // Its parents are done (it could not have run otherwise): its chain is one longer than theirs.
                        int d = 1;
                        for (Task parent : analyser.parents(task)) {
                            d = Math.max(d, depth.getOrDefault(parent, 0) + 1);
                        }
                        depth.put(task, d);
                        depthDone = Math.max(depthDone, d);
                    }
                    handle(e.at(), now -> coordinator.onResult(task, attempt, e.result(), now));
                }
            }
        }
        JobReport report = coordinator.report();
        double wall = Math.max(report.wallSeconds(), 1e-9);
        // The outcome waits for the store work decided before it, as the job actor's does.
        while (!storeWork.idle()) {
            Event e = events.poll();
            if (e == null) {
                throw new IllegalStateException("the simulation lost track of the driver's store work");
            }
            if (e.kind() == Kind.STORE_WORK_DONE) {
                storeWorkDone(e.at());
            }
        }
        if (recordSeries) {
            sample(coordinator, Math.max(driverFree, (long) (report.wallSeconds() * 1e9)));
        }
        return new Plan(report, Math.max(storeWorkDoneAt, driverFree) / 1e9, peakWorkers, coldStarts, deaths, stragglers,
                workerRequests, driverRequests, driverBusy / 1e9, driverBusy / 1e9 / wall, eventCount,
                (System.nanoTime() - began) / 1e9, depthDone, List.copyOf(series));
    }

    private void sample(JobCoordinator coordinator, long at) {
        if (ticks++ % sampleStride != 0) {
            return;
        }
        JobProgress p = coordinator.progress(at);
        series.add(new Sample(at / 1e9, running, p.ready(), p.tasksDone(), depthDone));
        if (series.size() >= MAX_SAMPLES) {
            for (int i = series.size() - 1; i > 0; i -= 2) {
                series.remove(i);
            }
            sampleStride *= 2;
        }
    }

    /**
     * The driver handles an event once it is free (the step gets that moment as its clock), busy for
     * as long as the coordinator really takes.
     */
    private void handle(long at, java.util.function.LongFunction<JobCoordinator.Actions> step) {
        long start = Math.max(at, driverFree);
        long t0 = System.nanoTime();
        JobCoordinator.Actions actions = step.apply(start);
        long took = System.nanoTime() - t0;
        driverBusy += took;
        driverFree = start + took;
        carryOut(actions, driverFree);
    }

    private void carryOut(JobCoordinator.Actions actions, long at) {
        storeWork.add(actions);
        startStoreWork(at);
        for (TaskSpec cancelled : actions.cancel()) {
            // Only attempts still waiting for a worker can be withdrawn; a running one runs on.
            for (Iterator<JobCoordinator.Dispatch> it = waiting.iterator(); it.hasNext(); ) {
                JobCoordinator.Dispatch d = it.next();
                if (d.spec().taskId().equals(cancelled.taskId()) && d.spec().attempt() == cancelled.attempt()) {
                    it.remove();
                    schedule(at, Kind.ANSWER, d, TaskResult.failure(d.spec(), null,
                            TaskError.transientError("transport", "cancelled before it ran")), -1);
                }
            }
        }
        waiting.addAll(actions.dispatch());
        startWaiting(at);
        finished |= actions.finished();
    }

    private void storeWorkDone(long at) {
        storeWork.finished();
        storeWorkDoneAt = at;
        startStoreWork(at);
    }

    /**
     * The next piece of the driver's store work, if none runs: one piece at a time, as the job
     * actor does, so deletes that pile up meanwhile go out together.
     */
    private void startStoreWork(long at) {
        StoreWork.Piece p = storeWork.start();
        if (p == null) {
            return;
        }
        long requests = p.deletes().isEmpty()
                ? 2L * job.intermediates().size() // a listing and a batch of deletes per intermediate matrix
                : (p.deletes().size() + model.keysPerDelete() - 1) / model.keysPerDelete();
        driverRequests += requests;
        schedule(at + requests * model.driverRequest().toNanos(), Kind.STORE_WORK_DONE, null, null, -1);
    }

    /** Gives waiting attempts to free workers: a warm one if there is one, else a new one, started cold. */
    private void startWaiting(long at) {
        while (freeSlots > 0 && !waiting.isEmpty()) {
            JobCoordinator.Dispatch d = waiting.poll();
            freeSlots--;
            running++;
            peakWorkers = Math.max(peakWorkers, running);
            Integer w = warm.poll();
            long startup = model.invoke().toNanos();
            if (w == null) {
                w = created++;
                coldStarts++;
                startup += model.coldStart().toNanos();
            }
            run(d, w, at + startup);
        }
    }

    private void run(JobCoordinator.Dispatch d, int worker, long startsAt) {
        Task task = d.task();
        List<BlockId> inputs = analyser.inputBlocks(task);
        List<BlockId> outputs = analyser.outputBlocks(task);
        long inBytes = 0;
        for (BlockId b : inputs) {
            inBytes += blockBytes(b);
        }
        List<TaskResult.WrittenBlock> written = new ArrayList<>();
        long outBytes = 0;
        for (int i = 0; i < outputs.size(); i++) {
            long bytes = blockBytes(outputs.get(i));
            outBytes += bytes;
            written.add(new TaskResult.WrittenBlock(d.spec().outputs().get(i).key(), 0, bytes));
        }
        workerRequests += inputs.size() + outputs.size();
        double slow = 1;
        if (model.stragglerRate() > 0 && random.nextDouble() < model.stragglerRate()) {
            slow = model.stragglerFactor();
            stragglers++;
        }
        double read = slow * (inputs.size() * seconds(model.storeRequest()) + inBytes / (model.readMbPerSecond() * 1e6));
        long flops = job.estimatedFlops(task);
        int block = inputs.isEmpty() ? 0 : job.program().matrix(inputs.get(0).matrix()).blockRows();
        double compute = slow * flops / (model.workerGflops(job.program().kernel(task).name(), block) * 1e9);
        double write = slow * (outputs.size() * seconds(model.storeRequest()) + outBytes / (model.writeMbPerSecond() * 1e6));
        long ends = startsAt + (long) ((read + compute + write) * 1e9);
        if (model.deathRate() > 0 && random.nextDouble() < model.deathRate()) {
            deaths++;
            schedule(startsAt + (long) ((ends - startsAt) * random.nextDouble()), Kind.DIED, d, null, worker);
            return;
        }
        TaskSpec spec = d.spec();
        TaskResult result = new TaskResult(TaskResult.VERSION, spec.jobId(), spec.taskId(), spec.attempt(),
                TaskResult.Status.OK, written, flops, inBytes, outBytes, read, compute, write, "model-worker-" + worker,
                "model", null);
        schedule(ends, Kind.ANSWER, d, result, worker);
    }

    private void release(int worker, boolean staysWarm) {
        freeSlots++;
        running--;
        if (staysWarm) {
            warm.push(worker);
        }
    }

    /** A stored block's bytes, taken at the matrix's full block size (ragged edges count as full). */
    private long blockBytes(BlockId b) {
        BlockMatrix m = job.program().matrix(b.matrix());
        return (long) m.blockRows() * m.blockCols() * 8 + BlockCodec.HEADER_BYTES;
    }

    private void schedule(long at, Kind kind, JobCoordinator.Dispatch d, TaskResult result, int worker) {
        events.add(new Event(at, seq++, kind, d, result, worker));
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}

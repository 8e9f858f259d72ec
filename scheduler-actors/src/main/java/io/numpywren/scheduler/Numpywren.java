package io.numpywren.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.backend.ChaosBackend;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.Kernels;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.npy.NpyExport;
import io.numpywren.npy.NpyImport;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import org.apache.pekko.actor.typed.ActorSystem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The public API. {@code Numpywren.create()} reads the configuration (reference.conf, then
 * application.conf and -D overrides), opens the block store, creates the backend by name and
 * starts the scheduler's actor system.
 *
 * <pre>{@code
 * try (Numpywren nw = Numpywren.create()) {
 *     BlockMatrix a = nw.randomSpd("A", 4096, 512, 42);
 *     JobResult r = nw.cholesky(a).toCompletableFuture().join();
 *     System.out.println(r.report().gflops() + " GFLOP/s");
 *     nw.exportNpy(r.output("L"), Path.of("L.npy"));
 * }
 * }</pre>
 */
public final class Numpywren implements AutoCloseable {
    private final Config config;
    private final BlockStore store;
    private final ComputeBackend backend;
    private final SchedulerSettings settings;
    private final ActorSystem<JobManager.Command> system;
    private final String namespace;
    private final LinearAlgebra driverKernels;
    private final JobLimits limits;
    private final JournalSettings journal;
    /** Why {@link #cancelAll} was called, or null: from then on nothing new is written or started. */
    private volatile String cancelledBecause;
    /** Recorded with every job submitted from now on (see {@link #labelJobs}). */
    private volatile Map<String, String> jobLabels = Map.of();

    private Numpywren(Config config, BlockStore givenStore, ComputeBackend givenBackend) {
        this.config = config;
        this.settings = SchedulerSettings.from(config);
        this.limits = JobLimits.from(config);
        this.namespace = config.getString("numpywren.namespace");
        this.store = givenStore != null ? givenStore : openStore(config);
        String provider = config.getString("numpywren.kernel-provider");
        this.driverKernels = LinearAlgebraProviders.select(provider);
        ComputeBackend chosen = givenBackend != null ? givenBackend : createBackend(config, store, provider);
        String chaos = config.getString("numpywren.chaos");
        this.backend = chaos.isBlank() ? chosen
                : new ChaosBackend(chosen, ChaosBackend.Rates.parse(chaos), config.getLong("numpywren.chaos-seed"));
        this.journal = JournalSettings.from(config, config.getString("numpywren.store"));
        this.system = ActorSystem.create(JobManager.create(backend, store, settings, journal), "numpywren",
                journal.pekkoConfig().withFallback(config).resolve());
        try {
            journal.createTables(system);
        } catch (RuntimeException e) {
            system.terminate();
            throw e;
        }
    }

    private static ComputeBackend createBackend(Config config, BlockStore store, String provider) {
        String backendName = config.getString("numpywren.backend");
        Map<String, String> backendSettings = new HashMap<>();
        backendSettings.put("kernel-provider", provider);
        backendSettings.putAll(settings(config, "numpywren.backends." + backendName));
        return Backends.create(backendName, new BackendContext(store, backendSettings));
    }

    /** With the default configuration chain. */
    public static Numpywren create() {
        return create(ConfigFactory.load());
    }

    /** With {@code config}, falling back to the reference configuration for anything it lacks. */
    public static Numpywren create(Config config) {
        return new Numpywren(config.withFallback(ConfigFactory.defaultReference()).resolve(), null, null);
    }

    /**
     * With a store and backend made by the caller (a test kit, an application that wraps them);
     * {@link #close} closes both.
     */
    public static Numpywren create(Config config, BlockStore store, ComputeBackend backend) {
        return new Numpywren(config.withFallback(ConfigFactory.defaultReference()).resolve(), store, backend);
    }

    /** {@code memory}, {@code file:DIR}, or a scheme a {@link io.numpywren.storage.BlockStoreProvider} opens. */
    private static BlockStore openStore(Config config) {
        return BlockStores.open(config.getString("numpywren.store"), section -> settings(config, "numpywren." + section));
    }

    /**
     * A configuration section's settings as flat strings ({@code prices.s3-per-gb-month}), empty
     * when it is absent: the form backends and stores take their settings in.
     */
    public static Map<String, String> settings(Config config, String section) {
        Map<String, String> settings = new HashMap<>();
        if (config.hasPath(section)) {
            for (Map.Entry<String, ConfigValue> e : config.getConfig(section).entrySet()) {
                settings.put(e.getKey(), String.valueOf(e.getValue().unwrapped()));
            }
        }
        return settings;
    }

    public BlockStore store() {
        return store;
    }

    public ComputeBackend backend() {
        return backend;
    }

    public Config config() {
        return config;
    }

    /** Where jobs are journaled (see {@code numpywren.journal}). */
    public JournalSettings journal() {
        return journal;
    }

    /**
     * Labels recorded in the journal with every job submitted from now on (which command started
     * it, which inputs it made for the job), shown by {@link #jobs()}; replaces earlier labels.
     */
    public void labelJobs(Map<String, String> labels) {
        this.jobLabels = Map.copyOf(labels);
    }

    /** The label of every job that names its store ({@code numpywren.store}), so that a resumption finds it. */
    public static final String STORE_LABEL = "store";
    /** The label of every job that names its backend. */
    public static final String BACKEND_LABEL = "backend";

    /** The labels of a job submitted now: the caller's, and where it runs. */
    private Map<String, String> labelsOfNewJob() {
        Map<String, String> labels = new HashMap<>(jobLabels);
        labels.put(STORE_LABEL, config.getString("numpywren.store"));
        labels.put(BACKEND_LABEL, backend.name());
        return labels;
    }

    /** The kernel provider the driver uses (the backend's workers report theirs in each job report). */
    public LinearAlgebra driverKernels() {
        return driverKernels;
    }

    private String dataNamespace() {
        return namespace + "/data";
    }

    /** A fresh namespace for one job's outputs and intermediates. */
    public String newJobNamespace(String jobId) {
        return namespace + "/jobs/" + jobId;
    }

    private static String newJobId(String algorithm) {
        return algorithm + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    // ---------------------------------------------------------------- matrices

    /**
     * Refuses, before any input exists, a built-in job ({@code gemm}, {@code cholesky}, {@code tsqr},
     * {@code qr}, {@code svd}, {@code solve}) on a rows x cols matrix in blockSize blocks whose input the
     * store cannot hold or whose tasks exceed {@code numpywren.limits.max-tasks}: its DAG is counted on
     * header-only placeholders, so an absurd size is refused in seconds instead of after generating it.
     */
    public void checkJobSize(String algorithm, long rows, long cols, int blockSize) {
        JobLimits.checkFits(String.format("%s's input (%d x %d, float64)", algorithm, rows, cols),
                JobLimits.float64Bytes(rows, cols), store);
        JobPlan plan = JobPlans.builtin(algorithm, rows, cols, blockSize, backend.capabilities().maxConcurrency(),
                backend.capabilities().workerMemoryBytes());
        JobLimits.checkTaskMemory(plan, backend.name(), backend.capabilities().workerMemoryBytes());
        limits.checkTasks(plan);
    }

    public BlockMatrix generate(String name, long rows, long cols, int blockSize, MatrixGenerator generator) {
        JobLimits.checkFits(String.format("matrix %s (%d x %d, float64)", name, rows, cols),
                JobLimits.float64Bytes(rows, cols), store);
        return BlockMatrices.generate(BlockMatrix.builder(writingUntilCancelled(), dataNamespace(), name).shape(rows, cols)
                .blockSize(blockSize).replaceExisting(true), generator);
    }

    public BlockMatrix random(String name, long rows, long cols, int blockSize, long seed) {
        return generate(name, rows, cols, blockSize, MatrixGenerator.random(seed));
    }

    /** A symmetric positive definite (diagonally dominant) matrix. */
    public BlockMatrix randomSpd(String name, long n, int blockSize, long seed) {
        return generate(name, n, n, blockSize, MatrixGenerator.spd(seed));
    }

    public BlockMatrix importNpy(Path file, String name, int blockSize) {
        io.numpywren.npy.NpyHeader header;
        try {
            header = NpyImport.readHeader(file);
        } catch (RuntimeException unreadable) {
            header = null; // the import itself says what is wrong with the file
        }
        if (header != null) {
            JobLimits.checkFits(String.format("importing %s (%d x %d, float64)", file, header.rows(), header.cols()),
                    JobLimits.float64Bytes(header.rows(), header.cols()), store);
        }
        return NpyImport.importFile(file, BlockMatrix.builder(writingUntilCancelled(), dataNamespace(), name).blockSize(blockSize)
                .replaceExisting(true));
    }

    public BlockMatrix open(String name) {
        return BlockMatrix.open(store, dataNamespace(), name);
    }

    public void exportNpy(BlockMatrix matrix, Path file) {
        NpyExport.exportFile(matrix, file);
    }

    // ---------------------------------------------------------------- algorithms

    public CompletionStage<JobResult> gemm(BlockMatrix a, BlockMatrix b) {
        return gemm(a, b, p -> { });
    }

    public CompletionStage<JobResult> gemm(BlockMatrix a, BlockMatrix b, Consumer<JobProgress> progress) {
        String id = newJobId("gemm");
        return submit(id, "gemm", BuiltinPrograms.plannedGemm(a, b, newJobNamespace(id),
                backend.capabilities().maxConcurrency(), backend.capabilities().workerMemoryBytes()),
                progress);
    }

    public CompletionStage<JobResult> cholesky(BlockMatrix a) {
        return cholesky(a, p -> { });
    }

    public CompletionStage<JobResult> cholesky(BlockMatrix a, Consumer<JobProgress> progress) {
        String id = newJobId("cholesky");
        return submit(id, "cholesky", BuiltinPrograms.cholesky(a, newJobNamespace(id)), progress);
    }

    public CompletionStage<JobResult> tsqr(BlockMatrix a) {
        return tsqr(a, p -> { });
    }

    public CompletionStage<JobResult> tsqr(BlockMatrix a, Consumer<JobProgress> progress) {
        String id = newJobId("tsqr");
        return submit(id, "tsqr", BuiltinPrograms.tsqr(a, newJobNamespace(id)), progress);
    }

    public CompletionStage<JobResult> qr(BlockMatrix a) {
        return qr(a, p -> { });
    }

    public CompletionStage<JobResult> qr(BlockMatrix a, Consumer<JobProgress> progress) {
        String id = newJobId("qr");
        return submit(id, "qr", BuiltinPrograms.qr(a, newJobNamespace(id)), progress);
    }

    /**
     * Singular values of {@code a}: BDFAC on the workers reduces it to an upper block-bidiagonal
     * band, whose singular values the driver computes. Output: the values, descending.
     */
    public CompletionStage<JobResult> svd(BlockMatrix a) {
        return svd(a, p -> { });
    }

    public CompletionStage<JobResult> svd(BlockMatrix a, Consumer<JobProgress> progress) {
        String id = newJobId("svd");
        long start = System.nanoTime();
        return submit(id, "svd", BuiltinPrograms.bdfac(a, newJobNamespace(id)), progress)
                .thenApply(r -> singularValues(r, id, start));
    }

    /** The singular values of BDFAC's band, on the driver; the band is freed. */
    private JobResult singularValues(JobResult r, String id, long start) {
        BlockMatrix band = r.output("B");
        Block ab = BuiltinPrograms.bandStorage(band);
        Block values = Kernels.get("band_singular_values").run(driverKernels, List.of(ab), KernelArgs.NONE).get(0);
        band.free();
        JobReport report = JobReport.combine(id, "svd", List.of(r.report()), (System.nanoTime() - start) / 1e9);
        return new JobResult(report, Map.of(), values.data());
    }

    /**
     * X with A·X = B for symmetric positive definite A: Cholesky, then forward and backward
     * substitution. Output "X"; the factor and the intermediate solution are removed.
     */
    public CompletionStage<JobResult> solve(BlockMatrix a, BlockMatrix b) {
        return solve(a, b, p -> { });
    }

    public CompletionStage<JobResult> solve(BlockMatrix a, BlockMatrix b, Consumer<JobProgress> progress) {
        if (b.rows() != a.rows() || b.blockRows() != a.blockRows()) {
            CompletableFuture<JobResult> failed = new CompletableFuture<>();
            failed.completeExceptionally(new IllegalArgumentException("solve needs B's rows and row blocks to match A's; got A "
                    + a.rows() + "x" + a.cols() + " in " + a.blockRows() + "-blocks and B " + b.rows() + "x" + b.cols()
                    + " in " + b.blockRows() + "x" + b.blockCols() + " blocks"));
            return failed;
        }
        String id = newJobId("solve");
        long start = System.nanoTime();
        List<JobReport> reports = new ArrayList<>();
        return submit(id + "-chol", "solve", BuiltinPrograms.cholesky(a, newJobNamespace(id + "-chol")), progress)
                .thenCompose(chol -> {
                    reports.add(chol.report());
                    BlockMatrix l = chol.output("L");
                    // L and Y are freed whether the later steps succeed or fail.
                    return freeingAfter(l, () -> submit(id + "-fwd", "solve",
                            BuiltinPrograms.trsmForward(l, b, newJobNamespace(id + "-fwd")), progress)
                            .thenCompose(fwd -> {
                                reports.add(fwd.report());
                                BlockMatrix y = fwd.output("X");
                                return freeingAfter(y, () -> submit(id, "solve",
                                        BuiltinPrograms.trsmBackward(l, y, newJobNamespace(id)), progress));
                            }));
                })
                .thenApply(bwd -> {
                    reports.add(bwd.report());
                    return new JobResult(JobReport.combine(id, "solve", reports, (System.nanoTime() - start) / 1e9),
                            bwd.outputs(), null);
                });
    }

    /** Runs {@code next} and frees {@code m} once it has completed, succeeded or not. */
    private static CompletionStage<JobResult> freeingAfter(BlockMatrix m, Supplier<CompletionStage<JobResult>> next) {
        CompletionStage<JobResult> stage;
        try {
            stage = next.get();
        } catch (RuntimeException e) {
            m.free();
            throw e;
        }
        return stage.whenComplete((r, e) -> m.free());
    }

    /**
     * Runs a user's bound program. Matrices it writes must live in one namespace (get one with
     * {@link #newJobNamespace}); those listed in {@code intermediates} are deleted as soon as
     * they have been read, the other written ones are the outputs.
     */
    public CompletionStage<JobResult> run(BoundProgram program, List<BlockMatrix> intermediates,
                                          Consumer<JobProgress> progress) {
        Map<String, BlockMatrix> outputs = new HashMap<>();
        String jobNamespace = null;
        for (String name : program.program().matrixParameters()) {
            BlockMatrix m = program.matrix(name);
            if (program.analyser().isWritten(name)) {
                jobNamespace = jobNamespace == null ? m.namespace() : jobNamespace;
                if (!intermediates.contains(m)) {
                    outputs.put(name, m);
                }
            }
        }
        if (jobNamespace == null) {
            throw new IllegalArgumentException("program " + program.program().name() + " writes no matrix");
        }
        String id = newJobId(program.program().name());
        JobPlan plan = new JobPlan(id, program.program().name(), jobNamespace, program, outputs, intermediates,
                labelsOfNewJob());
        return submit(plan, progress);
    }

    private CompletionStage<JobResult> submit(String id, String algorithm, BuiltinPrograms.Job job,
                                              Consumer<JobProgress> progress) {
        JobPlan plan = new JobPlan(id, algorithm, newJobNamespace(id), job.program(), job.outputs(), job.intermediates(),
                labelsOfNewJob());
        return submit(plan, progress);
    }

    private CompletionStage<JobResult> submit(JobPlan plan, Consumer<JobProgress> progress) {
        requireNotCancelled(plan.algorithm() + " job " + plan.jobId());
        limits.checkTasks(plan);
        JobLimits.checkTaskMemory(plan, backend.name(), backend.capabilities().workerMemoryBytes());
        JobLimits.checkFits(plan.algorithm() + "'s outputs and intermediates", JobLimits.outputBytes(plan), store);
        CompletableFuture<JobResult> result = new CompletableFuture<>();
        system.tell(new JobManager.SubmitJobWithCallback(plan, completing(result, progress)));
        return result;
    }

    private static Consumer<JobEvent> completing(CompletableFuture<JobResult> result, Consumer<JobProgress> progress) {
        return event -> {
            if (event instanceof JobEvent.Progress p) {
                progress.accept(p.progress());
            } else if (event instanceof JobEvent.Succeeded s) {
                result.complete(new JobResult(s.report(), s.outputs(), null));
            } else if (event instanceof JobEvent.Failed f) {
                result.completeExceptionally(new JobFailedException(f.jobId(), f.message()));
            }
        };
    }

    // ---------------------------------------------------------------- durable jobs

    /**
     * Reattaches to job {@code jobId} (as in its report, or {@link #jobs()}) whose driver died: from
     * the journal, tasks that finished (and whose blocks are still in the store) are not run again,
     * the rest run, and the future completes as the job's first driver's would have. Needs the
     * job's store and a backend. An unknown job, or one that already ended, fails the future saying so.
     * An {@code svd} job's singular values are computed again from its band; of a {@code solve},
     * the step that was running is resumed, and its output returned.
     */
    public CompletionStage<JobResult> resume(String jobId) {
        return resume(jobId, p -> { });
    }

    public CompletionStage<JobResult> resume(String jobId, Consumer<JobProgress> progress) {
        requireNotCancelled("resuming job " + jobId);
        long start = System.nanoTime();
        CompletableFuture<JobResult> result = new CompletableFuture<>();
        system.tell(new JobManager.ResumeJobWithCallback(jobId, completing(result, progress)));
        return result.thenApply(r -> "svd".equals(r.report().algorithm()) ? singularValues(r, jobId, start) : r);
    }

    /** Everything job {@code jobId}'s journal recorded, in order: its plan, the tasks that finished, resumptions, its end. */
    public List<JobJournal.Event> jobHistory(String jobId) {
        return JobJournals.events(system, journal, jobId, java.time.Duration.ofMinutes(2));
    }

    /** The event that started job {@code jobId} (its plan, task count and labels), if the journal knows it. */
    public java.util.Optional<JobJournal.Started> jobStarted(String jobId) {
        return JobJournals.started(system, journal, jobId, java.time.Duration.ofMinutes(2));
    }

    /** Every job the journal knows, the most recent first (none when journaling is off). */
    public List<JobJournals.JobSummary> jobs() {
        return JobJournals.list(system, journal, java.time.Duration.ofMinutes(2));
    }

    /**
     * Stops everything this instance does, for a driver that is shutting down (the CLI calls it on
     * Ctrl-C and SIGTERM): every running job is cancelled, and drains and removes its intermediates
     * and outputs as a failed job does (its future fails with a {@link JobFailedException} saying
     * {@code reason}); a generation or import in progress stops at its next block and removes what
     * it wrote; later submissions and imports are refused. It returns at once; await the jobs'
     * futures to know the clean-up is done.
     */
    public void cancelAll(String reason) {
        cancelledBecause = java.util.Objects.requireNonNull(reason, "reason");
        system.tell(new JobManager.CancelAll(reason));
    }

    /** The reason given to {@link #cancelAll}, if it was called. */
    public java.util.Optional<String> cancellation() {
        return java.util.Optional.ofNullable(cancelledBecause);
    }

    private void requireNotCancelled(String what) {
        String reason = cancelledBecause;
        if (reason != null) {
            throw new java.util.concurrent.CancellationException(what + " was not started: " + reason);
        }
    }

    /**
     * The store as imports and generation write to it: once {@link #cancelAll} is called, a put
     * fails, so the import stops and removes what it wrote (reads and deletes still work).
     */
    private BlockStore writingUntilCancelled() {
        requireNotCancelled("writing a matrix");
        return new WritesUntilCancelled(store, this::requireNotCancelled);
    }

    /** Cancels a running job by id (as in its report); its intermediates and outputs are removed. */
    public void cancel(String jobId, String reason) {
        system.tell(new JobManager.CancelJob(jobId, reason));
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the actors are stopping anyway; nothing more to do
        }
        backend.close();
        store.close();
    }
}

package io.numpywren.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobProgress;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/** {@code numpywren run <algorithm>}: one job, its result checked, a report printed. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run an algorithm on generated or .npy input, check the result and print a report.")
final class RunCommand implements Callable<Integer> {
    /** Largest residual accepted as correct: far above rounding error, far below any real mistake. */
    static final double RESIDUAL_LIMIT = 1e-8;
    /**
     * Largest relative asymmetry taken as symmetric: far above the rounding of a product such as
     * M·Mᵀ computed by a BLAS that does not mirror it (a few ulps), far below any real asymmetry.
     */
    static final double SYMMETRY_TOLERANCE = 1e-10;

    enum Algorithm { gemm, cholesky, tsqr, qr, svd, solve }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "gemm, cholesky, tsqr, qr, svd or solve")
    String algorithmName;

    @Option(names = "--n", description = "rows (required unless --input is given)")
    Long rows;

    @Option(names = "--m", description = "columns (default: n; tsqr needs m <= block)")
    Long cols;

    @Option(names = "--block", required = true, description = "block size")
    int block;

    @Option(names = "--input", description = "input matrix A as .npy (default: generated)")
    Path input;

    @Option(names = "--input-b", description = "gemm: the right factor B as .npy (default: A itself)")
    Path inputB;

    @Option(names = "--k", description = "gemm: the inner dimension, for a generated (n x k)·(k x n) product")
    Long inner;

    @Option(names = "--rhs", description = "solve: right-hand sides B as .npy (default: generated, one block of columns)")
    Path rhs;

    @Option(names = "--output", description = "write the result as .npy: C, L, R, the singular values, or X")
    Path output;

    @Mixin
    DriverOptions driver;

    @Option(names = "--seed", defaultValue = "42", description = "seed of the generated input (default: 42)")
    long seed;

    @Option(names = "--json", description = "also write the report as JSON")
    Path json;

    @Option(names = "--trace", description = "write per-task spans (worker, read/compute/write) as Chrome trace-event JSON")
    Path trace;

    @Option(names = "--chaos", description = "inject faults at these rates, e.g. kill=0.1,lose=0.05,slow=0.05,duplicate=0.05")
    String chaos;

    @Option(names = "--no-progress", description = "no progress bar, even on a terminal")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Algorithm algorithm = parseAlgorithm();
        if (block < 1) {
            throw new IllegalArgumentException("--block must be positive, got " + block);
        }
        OutputFiles.checkWritable(output, "--output");
        OutputFiles.checkWritable(json, "--json");
        OutputFiles.checkWritable(trace, "--trace");
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (trace != null) {
            overrides.put("numpywren.scheduler.trace", true);
        }
        if (chaos != null) {
            io.numpywren.backend.ChaosBackend.Rates.parse(chaos); // a typo fails here, with its own message
            overrides.put("numpywren.chaos", chaos);
            overrides.put("numpywren.chaos-seed", seed);
        }
        try (Numpywren nw = Numpywren.create(driver.settings(overrides));
             Interrupts interrupts = Interrupts.during(nw, spec.commandLine().getErr())) {
            try {
                return run(nw, algorithm, out);
            } catch (RuntimeException e) {
                if (interrupts.received().isEmpty()) {
                    throw e;
                }
                // The job was cancelled and everything this run wrote is removed (run's finally).
                spec.commandLine().getErr().println("numpywren: run interrupted by " + interrupts.received().get()
                        + ": the job was cancelled, and its blocks and this run's input were removed from "
                        + nw.store().description());
                return interrupts.exitCode();
            }
        }
    }

    /** Stops between the run's steps once Ctrl-C or SIGTERM cancelled it. */
    static void stopIfCancelled(Numpywren nw) {
        nw.cancellation().ifPresent(reason -> {
            throw new java.util.concurrent.CancellationException(reason);
        });
    }

    private Algorithm parseAlgorithm() {
        try {
            return Algorithm.valueOf(algorithmName.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown algorithm '" + algorithmName
                    + "' (choose gemm, cholesky, tsqr, qr, svd or solve)");
        }
    }

    /**
     * Names of this run's own matrices: unique, so that runs sharing a store (two terminals on one
     * file store, or a team on one bucket) never read or overwrite each other's inputs.
     */
    private final String runId = java.util.UUID.randomUUID().toString().substring(0, 8);
    /** The matrices this run created in the store, removed when it ends however it ends. */
    private final java.util.List<BlockMatrix> created = new java.util.ArrayList<>();

    private String name(String matrix) {
        return matrix + "-" + runId;
    }

    private BlockMatrix created(BlockMatrix m) {
        created.add(m);
        return m;
    }

    private int run(Numpywren nw, Algorithm algorithm, PrintWriter out) throws Exception {
        try {
            return runAndCheck(nw, algorithm, out);
        } finally {
            for (BlockMatrix m : created) {
                try {
                    m.free();
                } catch (RuntimeException alreadyGone) {
                    // a store that is closing or a matrix already freed: nothing of ours is left to remove
                }
            }
        }
    }

    /** The label naming the matrices a run made for its job: {@code numpywren resume} removes them once it is over. */
    static final String RUN_MATRICES_LABEL = "run-matrices";

    /** Labels the run's jobs with the matrices it made, so that a resumption can remove them as the run would have. */
    private void labelJobs(Numpywren nw) {
        nw.labelJobs(Map.of("command", "numpywren run", RUN_MATRICES_LABEL,
                String.join(",", created.stream().map(m -> m.namespace() + "/" + m.name()).toList())));
    }

    private int runAndCheck(Numpywren nw, Algorithm algorithm, PrintWriter out) throws Exception {
        BlockMatrix a = inputMatrix(nw, algorithm);
        stopIfCancelled(nw);
        ProgressBar bar = new ProgressBar(out, !noProgress && System.console() != null);
        JobResult result;
        double residual;
        BlockMatrix written = null;
        labelJobs(nw);
        switch (algorithm) {
            case gemm -> {
                BlockMatrix b = inner != null ? created(nw.random(name("B"), inner, rows, block, seed + 1))
                        : inputB == null ? a : created(nw.importNpy(inputB, name("B"), block));
                labelJobs(nw);
                result = await(nw.gemm(a, b, bar::update), bar);
                written = result.output("C");
                residual = Residuals.gemm(a, b, written);
            }
            case cholesky -> {
                result = await(nw.cholesky(a, bar::update), bar);
                written = result.output("L");
                residual = Residuals.cholesky(a, written);
            }
            case tsqr, qr -> {
                result = await(algorithm == Algorithm.tsqr ? nw.tsqr(a, bar::update) : nw.qr(a, bar::update), bar);
                written = result.output("R");
                residual = Residuals.qr(a, written);
            }
            case svd -> {
                result = await(nw.svd(a, bar::update), bar);
                residual = Residuals.singularValues(a, result.singularValues());
            }
            case solve -> {
                BlockMatrix b = created(rhs == null ? nw.random(name("B"), a.rows(), Math.min(block, a.rows()), block, seed + 1)
                        : nw.importNpy(rhs, name("B"), block));
                labelJobs(nw);
                result = await(nw.solve(a, b, bar::update), bar);
                written = result.output("X");
                residual = Residuals.solve(a, written, b);
            }
            default -> throw new IllegalStateException(algorithm.name());
        }
        result.outputs().values().forEach(this::created); // exported below if asked for; nothing stays in the store
        stopIfCancelled(nw);
        if (output != null) {
            if (written == null) {
                double[] values = result.singularValues();
                written = created(BlockMatrices.fromDense(Block.wrap(values.length, 1, values.clone()),
                        BlockMatrix.builder(nw.store(), "numpywren/data", name("singular_values")).blockSize(block)));
            }
            stopIfCancelled(nw);
            nw.exportNpy(written, output);
        }
        printReport(out, nw, algorithm.name(), a, block, result.report(), residual);
        if (json != null) {
            writeJson(nw, algorithm.name(), a, block, result.report(), residual, json);
        }
        if (trace != null) {
            ChromeTrace.write(result.report(), trace);
        }
        if (!(residual <= RESIDUAL_LIMIT)) {
            spec.commandLine().getErr().printf("error: residual %.3e exceeds %.0e: the result is wrong%n", residual,
                    RESIDUAL_LIMIT);
            return 3;
        }
        return 0;
    }

    private BlockMatrix inputMatrix(Numpywren nw, Algorithm algorithm) {
        if (input != null) {
            if (!Files.isRegularFile(input)) {
                throw new IllegalArgumentException("input file " + input + (Files.isDirectory(input) ? " is a directory"
                        : Files.exists(input) ? " is not a regular file" : " does not exist"));
            }
            BlockMatrix a = created(nw.importNpy(input, name("A"), block));
            if (rows != null && rows != a.rows()) {
                throw new IllegalArgumentException("--n " + rows + " does not match the " + a.rows() + " rows of " + input);
            }
            if ((algorithm == Algorithm.cholesky || algorithm == Algorithm.solve) && a.rows() == a.cols()) {
                double asymmetry;
                try {
                    asymmetry = Residuals.asymmetry(a);
                } catch (Residuals.NonFiniteEntry e) {
                    throw new IllegalArgumentException(algorithm + " needs a symmetric positive definite matrix of "
                            + "finite values, but in " + input + " " + e.getMessage());
                }
                if (!(asymmetry <= SYMMETRY_TOLERANCE)) {
                    throw new IllegalArgumentException(algorithm + " needs a symmetric positive definite matrix, but "
                            + input + " is not symmetric: max |A[i,j] - A[j,i]| / max |A| = "
                            + String.format("%.3e", asymmetry) + " (tolerance " + SYMMETRY_TOLERANCE
                            + "); symmetrize it, e.g. (A + A.T) / 2");
                }
            }
            return a;
        }
        if (rows == null) {
            throw new IllegalArgumentException("give --n (rows) or --input");
        }
        long n = rows;
        if (inner != null) {
            if (algorithm != Algorithm.gemm || cols != null || inputB != null) {
                throw new IllegalArgumentException("--k is gemm's inner dimension (A is n x k, B is k x n), without --m, "
                        + "--input or --input-b");
            }
            if (inner < 1) {
                throw new IllegalArgumentException("--k must be positive, got " + inner);
            }
        }
        long m = inner != null ? inner : cols == null ? (algorithm == Algorithm.tsqr ? Math.min(block, n) : n) : cols;
        if (n < 1 || m < 1) {
            throw new IllegalArgumentException("--n and --m must be positive, got " + n + " and " + m);
        }
        if ((algorithm == Algorithm.cholesky || algorithm == Algorithm.solve || algorithm == Algorithm.svd) && m != n) {
            throw new IllegalArgumentException(algorithm + " needs a square matrix, got --n " + n + " --m " + m);
        }
        nw.checkJobSize(algorithm.name(), n, m, block);
        if (algorithm == Algorithm.cholesky || algorithm == Algorithm.solve) {
            return created(nw.randomSpd(name("A"), n, block, seed));
        }
        return created(nw.random(name("A"), n, m, block, seed));
    }

    static JobResult await(CompletionStage<JobResult> stage, ProgressBar bar) {
        try {
            return stage.toCompletableFuture().join();
        } finally {
            bar.finish();
        }
    }

    static String bytes(long b) {
        if (b >= 1L << 30) {
            return String.format("%.2f GiB", b / (double) (1L << 30));
        }
        if (b >= 1L << 20) {
            return String.format("%.1f MiB", b / (double) (1L << 20));
        }
        return b + " B";
    }

    static void printReport(PrintWriter out, Numpywren nw, String algorithm, BlockMatrix a, int block, JobReport r,
                            double residual) {
        out.printf("%s of a %dx%d matrix in %d-blocks on the %s backend (%d workers)%n", algorithm, a.rows(), a.cols(),
                block, r.backend(), nw.backend().capabilities().maxConcurrency());
        out.printf("  wall time            %.3f s%n", r.wallSeconds());
        out.printf("  tasks                %d%n", r.tasks());
        out.printf("  GFLOP/s              %.2f (%.1f GFLOP)%n", r.gflops(), r.flops() / 1e9);
        out.printf("  bytes read           %s%n", bytes(r.bytesRead()));
        out.printf("  bytes written        %s%n", bytes(r.bytesWritten()));
        out.printf("  retries              %d (lease expiries %d, speculative copies %d)%n", r.retries(),
                r.leaseExpiries(), r.speculativeCopies());
        out.printf("  duplicate results    %d%n", r.duplicates());
        out.printf("  worker-seconds       busy %.2f, allocated %.2f (a fixed pool: %.2f)%n", r.workerSecondsBusy(),
                r.workerSecondsAllocated(), r.workerSecondsFixedPool());
        out.printf("  peak intermediates   %d blocks%n", r.peakIntermediateBlocks());
        out.printf("  kernel provider      %s%n", kernelProvider(nw, r));
        CostEstimates.of(nw, r, block).ifPresent(cost -> out.printf("  estimated cost       %s%n", cost.line()));
        if (nw.backend() instanceof io.numpywren.backend.ChaosBackend chaosBackend) {
            Map<String, Long> injected = chaosBackend.injected();
            out.printf("  faults injected      killed %d, replies lost %d, slowed %d, delivered twice %d%n",
                    injected.get("killed"), injected.get("lost"), injected.get("slowed"), injected.get("duplicated"));
        }
        out.printf("residual: %.3e%n", residual);
    }

    private static String kernelProvider(Numpywren nw, JobReport r) {
        String names = r.kernelProviders().isEmpty() ? nw.driverKernels().name() : String.join(", ", r.kernelProviders());
        return names + " (" + nw.driverKernels().implementation() + ")";
    }

    static void writeJson(Numpywren nw, String algorithm, BlockMatrix a, int block, JobReport r, double residual,
                          Path json) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("algorithm", algorithm);
        doc.put("n", a.rows());
        doc.put("m", a.cols());
        doc.put("block", block);
        doc.put("backend", r.backend());
        doc.put("workers", nw.backend().capabilities().maxConcurrency());
        doc.put("kernelProvider", kernelProvider(nw, r));
        doc.put("wallSeconds", r.wallSeconds());
        doc.put("tasks", r.tasks());
        doc.put("flops", r.flops());
        doc.put("gflops", r.gflops());
        doc.put("bytesRead", r.bytesRead());
        doc.put("bytesWritten", r.bytesWritten());
        doc.put("residual", residual);
        doc.put("retries", r.retries());
        doc.put("duplicates", r.duplicates());
        doc.put("speculativeCopies", r.speculativeCopies());
        doc.put("leaseExpiries", r.leaseExpiries());
        doc.put("workerSecondsBusy", r.workerSecondsBusy());
        doc.put("workerSecondsAllocated", r.workerSecondsAllocated());
        doc.put("workerSecondsFixedPool", r.workerSecondsFixedPool());
        doc.put("peakIntermediateBlocks", r.peakIntermediateBlocks());
        CostEstimates.of(nw, r, block).ifPresent(cost -> doc.put("estimatedCost", cost.details()));
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
    }

    /** A one-line progress bar redrawn in place, only on a terminal. */
    static final class ProgressBar {
        private final PrintWriter out;
        private final boolean enabled;
        private boolean drawn;

        ProgressBar(PrintWriter out, boolean enabled) {
            this.out = out;
            this.enabled = enabled;
        }

        synchronized void update(JobProgress p) {
            if (!enabled || p.tasksTotal() == 0) {
                return;
            }
            int width = 30;
            int filled = (int) Math.round(width * p.fractionDone());
            double left = p.secondsLeft();
            out.printf("\r[%s%s] %5.1f%% %d/%d tasks %7.2f GFLOP/s %s   ", "#".repeat(filled), ".".repeat(width - filled),
                    100 * p.fractionDone(), p.tasksDone(), p.tasksTotal(), p.gflops(),
                    Double.isNaN(left) ? "" : String.format("ETA %.0fs", left));
            out.flush();
            drawn = true;
        }

        synchronized void finish() {
            if (drawn) {
                out.println();
            }
        }
    }
}

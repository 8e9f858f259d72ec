package io.numpywren.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.Kernel;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.Kernels;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.DType;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.lambdapack.BlockId;
import io.numpywren.lambdapack.Task;
import io.numpywren.scheduler.JobPlan;
import io.numpywren.scheduler.JobPlans;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.scheduler.Planner;
import io.numpywren.scheduler.PlatformModel;
import io.numpywren.scheduler.SchedulerSettings;
import io.numpywren.storage.InMemoryBlockStore;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The planner against reality: plans a job on a local model calibrated in this run from measured
 * platform characteristics only (each kernel the job calls, timed with one call per worker at
 * once, as the local workers run them; the in-memory store's block put and get, likewise; a
 * task's round trip through the backend, from a job of 1x1 blocks), then
 * runs the same job on the local backend, and prints predicted against measured wall time, tasks
 * and bytes side by side. Nothing is fitted to the measured run.
 *
 * <pre>
 * java -cp 'bench/target/*:bench/target/lib/*' io.numpywren.bench.PlanBenchmark \
 *      [--quick] [--algorithms cholesky,gemm,qr] [--n 8192] [--block 1024] [--json out.json]
 * </pre>
 */
public final class PlanBenchmark {
    private static final int ROUNDS = 5;

    private PlanBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> algorithms = List.of("cholesky", "gemm", "qr");
        int n = 8192;
        int block = 1024;
        Path json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    n = 4096;
                    block = 512;
                }
                case "--algorithms" -> algorithms = List.of(args[++i].split(","));
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--block" -> block = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--quick, --algorithms, --n, --block, --json)");
            }
        }
        int workers = Runtime.getRuntime().availableProcessors();
        Config config = ConfigFactory.parseString("numpywren.backends.local.workers = " + workers)
                .withFallback(ConfigFactory.defaultReference()).resolve();
        System.out.printf("numpywren plan benchmark: the planner against real runs on the local backend, %d workers, "
                + "n=%d, block %d%n", workers, n, block);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Numpywren nw = Numpywren.create(config)) {
            LinearAlgebra la = nw.driverKernels();
            // Each job as the facade plans it for this backend (gemm's plan depends on the workers and their memory).
            Map<String, JobPlan> jobs = new LinkedHashMap<>();
            for (String algorithm : algorithms) {
                jobs.put(algorithm, JobPlans.builtin(algorithm, n, n, block, nw.backend().capabilities().maxConcurrency(),
                        nw.backend().capabilities().workerMemoryBytes()));
            }
            PlatformModel model = calibrate(nw, la, block, workers, jobs.values());
            System.out.printf("calibrated here (%s, one BLAS thread per worker, %d at once): a task's round trip "
                    + "%.0f us; store put %.0f MB/s, get %.0f MB/s per worker; kernel GFLOP/s per worker %s%n", la.name(),
                    workers, model.invoke().toNanos() / 1e3, model.writeMbPerSecond(), model.readMbPerSecond(),
                    rounded(model.gflopsPerVcpu()));
            System.out.printf("%n%-9s %12s %12s %7s %14s %16s %18s%n", "job", "planned s", "measured s", "ratio",
                    "tasks p/m", "read GiB p/m", "written GiB p/m");
            for (String algorithm : algorithms) {
                Planner.Plan plan = Planner.plan(jobs.get(algorithm), model, SchedulerSettings.from(config), workers, 1);
                JobReport measured = run(nw, algorithm, n, block);
                JobReport p = plan.report();
                double ratio = p.wallSeconds() / measured.wallSeconds();
                System.out.printf("%-9s %12.2f %12.2f %7.2f %7d/%-6d %8.2f/%-7.2f %9.2f/%-8.2f%n", algorithm,
                        p.wallSeconds(), measured.wallSeconds(), ratio, p.tasks(), measured.tasks(), gib(p.bytesRead()),
                        gib(measured.bytesRead()), gib(p.bytesWritten()), gib(measured.bytesWritten()));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("algorithm", algorithm);
                row.put("plannedSeconds", p.wallSeconds());
                row.put("measuredSeconds", measured.wallSeconds());
                row.put("ratio", ratio);
                row.put("plannedTasks", p.tasks());
                row.put("measuredTasks", measured.tasks());
                row.put("plannedBytesRead", p.bytesRead());
                row.put("measuredBytesRead", measured.bytesRead());
                row.put("plannedBytesWritten", p.bytesWritten());
                row.put("measuredBytesWritten", measured.bytesWritten());
                row.put("planningSeconds", plan.planningSeconds());
                rows.add(row);
            }
            System.out.println("\nratio = planned / measured wall time; the target is within 25% (0.75 to 1.25).");
            if (json != null) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("n", n);
                doc.put("block", block);
                doc.put("workers", workers);
                doc.put("provider", la.name());
                doc.put("storeReadMbPerSecond", model.readMbPerSecond());
                doc.put("storeWriteMbPerSecond", model.writeMbPerSecond());
                doc.put("gflopsPerWorker", model.gflopsPerVcpu());
                doc.put("jobs", rows);
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
            }
        }
    }

    private static JobReport run(Numpywren nw, String algorithm, int n, int block) throws Exception {
        BlockMatrix a = algorithm.equals("cholesky") ? nw.randomSpd("A-" + algorithm, n, block, 1)
                : nw.random("A-" + algorithm, n, n, block, 1);
        BlockMatrix b = algorithm.equals("gemm") ? nw.random("B-" + algorithm, n, n, block, 2) : null;
        try {
            JobResult r = switch (algorithm) {
                case "cholesky" -> nw.cholesky(a).toCompletableFuture().get(1, TimeUnit.HOURS);
                case "gemm" -> nw.gemm(a, b).toCompletableFuture().get(1, TimeUnit.HOURS);
                case "qr" -> nw.qr(a).toCompletableFuture().get(1, TimeUnit.HOURS);
                default -> throw new IllegalArgumentException("bench plan runs cholesky, gemm and qr, not " + algorithm);
            };
            r.outputs().values().forEach(BlockMatrix::free);
            return r.report();
        } finally {
            a.free();
            if (b != null) {
                b.free();
            }
        }
    }

    /**
     * The local platform as measured now: each kernel the jobs call (those the kernel benchmark
     * can feed; any other runs at gemm's rate), and the store's put and get of one block, with
     * every worker doing it at once.
     */
    private static PlatformModel calibrate(Numpywren nw, LinearAlgebra la, int block, int workers,
                                           java.util.Collection<JobPlan> jobs) throws Exception {
        // One task of each kernel the jobs call, as the job gives it (its input shapes and arguments).
        Map<String, Map.Entry<JobPlan, Task>> representative = new TreeMap<>();
        for (JobPlan job : jobs) {
            job.program().analyser().forEachTask(t -> representative.putIfAbsent(job.program().kernel(t).name(),
                    Map.entry(job, t)));
        }
        Map<String, Double> gflops = new LinkedHashMap<>();
        Map<String, KernelBenchmark.Case> cases = new LinkedHashMap<>();
        for (KernelBenchmark.Case c : KernelBenchmark.cases(la)) {
            cases.put(c.kernel(), c);
        }
        for (var e : representative.entrySet()) {
            String name = e.getKey();
            Kernel kernel = Kernels.get(name);
            List<Block> inputs;
            KernelArgs args;
            KernelBenchmark.Case c = cases.get(name);
            if (c != null) {
                // Factorizations need well-formed operands (SPD, triangular, reflectors): the kernel benchmark's.
                inputs = c.inputs().apply(block);
                args = c.args();
            } else {
                // Products and sums take any values: random blocks of the task's own shapes.
                JobPlan job = e.getValue().getKey();
                Task task = e.getValue().getValue();
                inputs = new ArrayList<>();
                long seed = 1;
                for (BlockId b : job.program().analyser().inputBlocks(task)) {
                    BlockMatrix m = job.program().matrix(b.matrix());
                    inputs.add(MatrixGenerator.random(seed++).block(0, 0, m.blockRows(), m.blockCols(), m.blockRows(),
                            m.blockCols()));
                }
                args = job.program().arguments(task);
            }
            List<int[]> shapes = new ArrayList<>();
            for (Block in : inputs) {
                shapes.add(new int[] {in.rows(), in.cols()});
            }
            long flops = kernel.flops(shapes, args);
            if (flops <= 0) {
                continue;
            }
            List<Block> operands = inputs;
            KernelArgs arguments = args;
            double seconds = concurrentMedian(workers, () -> kernel.run(la, operands, arguments));
            gflops.put(name, flops / seconds / 1e9);
        }
        gflops.put("default", gflops.values().stream().mapToDouble(Double::doubleValue).min().orElse(1));
        InMemoryBlockStore store = new InMemoryBlockStore("calibration");
        Block data = Block.wrap(block, block, new double[block * block]);
        long bytes = (long) block * block * 8 + BlockCodec.HEADER_BYTES;
        AtomicInteger next = new AtomicInteger();
        double put = concurrentMedian(workers, () -> store.putBlock("w/" + next.getAndIncrement(), data, DType.FLOAT64));
        store.putBlock("probe", data, DType.FLOAT64);
        double get = concurrentMedian(workers, () -> store.getBlock("probe", double[]::new));
        return new PlatformModel("local", 1, (int) (Runtime.getRuntime().maxMemory() >> 20), gflops, bytes / get / 1e6,
                bytes / put / 1e6, Duration.ZERO, taskRoundTrip(nw, workers), Duration.ZERO, workers, Duration.ZERO, 1,
                0, 0, 1);
    }

    /**
     * What one task costs the local backend beyond its kernel and blocks: a Cholesky of 1x1 blocks
     * (kernels that cost nothing) timed through the whole path, its wall time times the workers over
     * its tasks; the best of three.
     */
    private static Duration taskRoundTrip(Numpywren nw, int workers) throws Exception {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            BlockMatrix a = nw.randomSpd("round-trip-" + i, 24, 1, 3);
            try {
                JobResult r = nw.cholesky(a).toCompletableFuture().get(10, TimeUnit.MINUTES);
                r.outputs().values().forEach(BlockMatrix::free);
                best = Math.min(best, r.report().wallSeconds() * workers / r.report().tasks());
            } finally {
                a.free();
            }
        }
        return Duration.ofNanos((long) (best * 1e9));
    }

    /** The median time of {@code work}, run by {@code threads} threads at once each round, after a warm-up. */
    private static double concurrentMedian(int threads, ThrowingRunnable work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<double[]>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                all.add(pool.submit(() -> {
                    double[] samples = new double[ROUNDS];
                    for (int round = -1; round < ROUNDS; round++) {
                        start.await();
                        long begin = System.nanoTime();
                        work.run();
                        if (round >= 0) {
                            samples[round] = (System.nanoTime() - begin) / 1e9;
                        }
                    }
                    return samples;
                }));
            }
            List<Double> samples = new ArrayList<>();
            for (Future<double[]> f : all) {
                for (double s : f.get()) {
                    samples.add(s);
                }
            }
            double[] sorted = samples.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return sorted[sorted.length / 2];
        } finally {
            pool.shutdownNow();
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static double gib(long bytes) {
        return bytes / (double) (1L << 30);
    }

    private static String rounded(Map<String, Double> rates) {
        List<String> parts = new ArrayList<>();
        rates.forEach((k, v) -> parts.add(k + " " + Math.round(v * 10) / 10.0));
        return String.join(", ", parts);
    }
}

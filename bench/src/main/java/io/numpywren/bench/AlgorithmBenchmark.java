package io.numpywren.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each algorithm against one monolithic LAPACK call on the whole matrix, side by side in one
 * run: trials alternate between the two, each in a fresh JVM so that the monolithic call gets
 * every core's BLAS threads and numpywren one BLAS thread per local worker (the same total).
 * Reports medians with their spread, the ratio numpywren / monolithic, bytes moved, peak
 * intermediate bytes against the input's size, and worker-seconds busy / allocated for the
 * elastic provisioner beside a fixed pool's.
 *
 * <pre>
 * java -cp 'bench/target/*:bench/target/lib/*' io.numpywren.bench.AlgorithmBenchmark [--quick]
 *      [--algorithms gemm,cholesky,qr,svd,solve] [--sizes 4096:512,8192:1024] [--repetitions 3] [--json out.json]
 * </pre>
 */
public final class AlgorithmBenchmark {
    private record Size(int n, int block) {
    }

    /** The kernel provider every trial runs on: the fastest native one here, chosen first. */
    private static String provider = "auto";

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        List<String> algorithms = List.of("gemm", "cholesky", "qr", "svd", "solve");
        List<Size> sizes = null;
        int repetitions = 3;
        Path json = Path.of("bench/target/algorithm-bench.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--algorithms" -> algorithms = List.of(args[++i].split(","));
                case "--sizes" -> sizes = parseSizes(args[++i]);
                case "--repetitions" -> repetitions = Integer.parseInt(args[++i]);
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (usage: AlgorithmBenchmark "
                        + "[--quick] [--algorithms a,b] [--sizes n:block,...] [--repetitions r] [--json out.json])");
            }
        }
        // svd's last stage (band to bidiagonal, LAPACK DGBBRD on the driver) costs O(n²·block), so
        // by default svd runs at its target size, n=4096, with the blocks it is fastest with; at
        // n=8192 the monolithic DGESDD alone takes minutes a repetition here.
        List<Size> svdSizes = sizes;
        if (sizes == null) {
            sizes = quick ? List.of(new Size(2048, 512))
                    : parseSizes("4096:512,4096:1024,4096:2048,8192:512,8192:1024,8192:2048");
            svdSizes = quick ? List.of(new Size(2048, 256)) : parseSizes("4096:128,4096:256,4096:512");
        }
        if (quick) {
            repetitions = Math.min(repetitions, 2);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("algorithm benchmark: numpywren on the local backend (%d workers x 1 BLAS thread) against one "
                + "monolithic LAPACK call (%d BLAS threads); medians of %d alternating trials, each in a fresh JVM, %s%n",
                cores, cores, repetitions, quick ? "after a small warm-up" : "timed after an untimed run of the same size");
        provider = fastestProvider(cores, quick);
        // The best of two JVMs (one when quick), each the best of several runs: the floor is only a
        // floor if the rate is the machine's best.
        double dgemmRate = trial("dgemm-rate", "-", new Size(4096, 0), cores, "-").get("gflops").asDouble();
        if (!quick) {
            dgemmRate = Math.max(dgemmRate, trial("dgemm-rate", "-", new Size(4096, 0), cores, "-").get("gflops").asDouble());
        }
        System.out.printf("DGEMM n=4096 on %d BLAS threads: %.1f GFLOP/s. 'floor' is an algorithm's nominal flops at "
                + "that rate: no schedule of DGEMM-speed kernels beats it.%n", cores, dgemmRate);
        double workersRate = trial("dgemm-workers", "-", new Size(2048, 0), 1, "-").get("gflops").asDouble();
        System.out.printf("%d single-threaded DGEMMs of n=2048 at once (as %d local workers run them): %.1f GFLOP/s in "
                        + "all, so even with no I/O a tiled job of such products takes %.2fx the %d-thread DGEMM.%n",
                cores, cores, workersRate, dgemmRate / workersRate, cores);
        System.out.printf("%-9s %6s %6s %22s %22s %7s %7s %9s %7s %12s %9s %13s%n", "algorithm", "n", "block",
                "monolithic s (spread)", "numpywren s (spread)", "ratio", "floor s", "mono/flr", "tasks", "bytes moved",
                "peak/in", "busy/alloc");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Size size : sizes) {
            for (String algorithm : algorithms) {
                if (!algorithm.equals("svd")) {
                    rows.add(measure(algorithm, size, repetitions, cores, dgemmRate, !quick));
                }
            }
        }
        if (algorithms.contains("svd")) {
            for (Size size : svdSizes) {
                rows.add(measure("svd", size, repetitions, cores, dgemmRate, !quick));
            }
        }
        printKernelBounds(rows, cores);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "algorithms");
        doc.put("version", 1);
        doc.put("cores", cores);
        doc.put("repetitions", repetitions);
        doc.put("provider", provider);
        doc.put("dgemmGflops", dgemmRate);
        doc.put("concurrentSingleThreadDgemmGflops", workersRate);
        doc.put("results", rows);
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        System.out.println("wrote " + json.toAbsolutePath());
    }

    private static List<Size> parseSizes(String spec) {
        List<Size> sizes = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] nb = part.split(":");
            if (nb.length != 2) {
                throw new IllegalArgumentException("a size is n:block, e.g. 4096:512; got '" + part + "'");
            }
            sizes.add(new Size(Integer.parseInt(nb[0].trim()), Integer.parseInt(nb[1].trim())));
        }
        return sizes;
    }

    /**
     * The textbook flop count of the monolithic routine: what both sides must at least do.
     * (svd: the bidiagonal reduction that dominates singular values alone.)
     */
    static double nominalFlops(String algorithm, int n) {
        double n3 = Math.pow(n, 3);
        return switch (algorithm) {
            case "gemm" -> 2 * n3;
            case "cholesky" -> n3 / 3;
            case "qr" -> 4 * n3 / 3;
            case "svd" -> 8 * n3 / 3;
            case "solve" -> n3 / 3 + 2.0 * n * n * AlgorithmTrial.solveRightHandSides(n);
            default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
        };
    }

    private static Map<String, Object> measure(String algorithm, Size size, int repetitions, int cores,
                                               double dgemmRate, boolean fullWarmUp)
            throws IOException, InterruptedException {
        String warmUp = fullWarmUp ? "full" : "small";
        double[] mono = new double[repetitions];
        double[] nw = new double[repetitions];
        JsonNode last = null;
        for (int r = 0; r < repetitions; r++) {
            mono[r] = trial("monolithic", algorithm, size, cores, warmUp).get("seconds").asDouble();
            last = trial("numpywren", algorithm, size, 1, warmUp);
            nw[r] = last.get("seconds").asDouble();
        }
        double monoMedian = median(mono);
        double nwMedian = median(nw);
        long moved = last.get("bytesRead").asLong() + last.get("bytesWritten").asLong();
        double peakOverInput = last.get("peakIntermediateBytes").asDouble() / last.get("inputBytes").asDouble();
        double busyOverAllocated = last.get("workerSecondsBusy").asDouble()
                / Math.max(1e-9, last.get("workerSecondsAllocated").asDouble());
        double busyOverFixed = last.get("workerSecondsBusy").asDouble()
                / Math.max(1e-9, last.get("workerSecondsFixedPool").asDouble());
        double floor = nominalFlops(algorithm, size.n()) / (dgemmRate * 1e9);
        System.out.printf("%-9s %6d %6d %8.3f (%5.3f..%5.3f) %8.3f (%5.3f..%5.3f) %6.2fx %7.3f %8.2f %7d %8.2f GiB "
                        + "%8.2fx %5.2f/%4.2f%n",
                algorithm, size.n(), size.block(), monoMedian, min(mono), max(mono), nwMedian, min(nw), max(nw),
                nwMedian / monoMedian, floor, monoMedian / floor, last.get("tasks").asLong(), moved / (double) (1L << 30),
                peakOverInput, busyOverAllocated, busyOverFixed);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("algorithm", algorithm);
        row.put("n", size.n());
        row.put("block", size.block());
        row.put("monolithicSeconds", monoMedian);
        row.put("monolithicSpread", List.of(min(mono), max(mono)));
        row.put("numpywrenSeconds", nwMedian);
        row.put("numpywrenSpread", List.of(min(nw), max(nw)));
        row.put("ratio", nwMedian / monoMedian);
        row.put("floorSeconds", floor);
        row.put("monolithicOverFloor", monoMedian / floor);
        row.put("tasks", last.get("tasks").asLong());
        row.put("bytesMoved", moved);
        row.put("peakIntermediateBytes", last.get("peakIntermediateBytes").asLong());
        row.put("peakIntermediateOverInput", peakOverInput);
        row.put("busyOverAllocatedElastic", busyOverAllocated);
        row.put("busyOverAllocatedFixedPool", busyOverFixed);
        row.put("provider", last.get("provider").asText());
        if (algorithm.equals("cholesky")) {
            JsonNode bound = trial("kernel-bound", algorithm, size, 1, "-");
            row.put("kernelBound", bound);
            row.put("kernelBoundSeconds", bound.get("lowerBoundSeconds").asDouble());
            row.put("kernelBoundOverMonolithic", bound.get("lowerBoundSeconds").asDouble() / monoMedian);
        }
        return row;
    }

    /**
     * Shows, for each Cholesky row, how fast its task DAG could possibly run here: whether a
     * ratio below 1.0 is a matter of overheads or out of reach of any schedule of these kernels.
     */
    private static void printKernelBounds(List<Map<String, Object>> rows, int cores) {
        List<Map<String, Object>> bounded = rows.stream().filter(r -> r.containsKey("kernelBound")).toList();
        if (bounded.isEmpty()) {
            return;
        }
        System.out.printf("%nCholesky kernel bound: the job's own task DAG, each task costed at the one BLAS call its "
                + "kernel makes, timed with %d such calls at once on warm arrays (medians). The work over %d workers and "
                + "the critical path bound every schedule: nothing above these calls (store, copies, checksums, "
                + "scheduling, fresh memory) is counted. 'list' is an overhead-free longest-path-first schedule.%n",
                cores, cores);
        System.out.printf("%6s %6s %6s %14s %14s %14s %14s %8s %8s %8s %10s%n", "n", "block", "tasks", "dpotrf ms (#)",
                "dtrsm ms (#)", "dsyrk ms (#)", "dgemm ms (#)", "work s", "crit s", "list s", "bound/mono");
        for (Map<String, Object> row : bounded) {
            JsonNode bound = (JsonNode) row.get("kernelBound");
            StringBuilder calls = new StringBuilder();
            for (String call : List.of("dpotrf", "dtrsm", "dsyrk", "dgemm")) {
                JsonNode c = bound.get("calls").get(call);
                calls.append(c == null ? String.format(" %14s", "-")
                        : String.format(" %8.1f (%3d)", c.get("seconds").asDouble() * 1e3, c.get("tasks").asInt()));
            }
            System.out.printf("%6d %6d %6d%s %8.3f %8.3f %8.3f %9.2fx%n", (Integer) row.get("n"), (Integer) row.get("block"),
                    bound.get("tasks").asInt(), calls, bound.get("workSeconds").asDouble(),
                    bound.get("criticalPathSeconds").asDouble(), bound.get("listScheduleSeconds").asDouble(),
                    (Double) row.get("kernelBoundOverMonolithic"));
        }
        for (Map<String, Object> row : bounded) {
            double over = (Double) row.get("kernelBoundOverMonolithic");
            if (over >= 1.0) {
                System.out.printf("cholesky n=%d block=%d: no schedule of these calls finishes before %.3f s, %.2fx the "
                        + "monolithic dpotrf (%.3f s), so a ratio below 1.0 is out of reach at this block size on this "
                        + "machine.%n", (Integer) row.get("n"), (Integer) row.get("block"),
                        (Double) row.get("kernelBoundSeconds"), over, (Double) row.get("monolithicSeconds"));
            }
        }
    }

    /**
     * The native kernel provider with the fastest DGEMM (n=2048, all cores, each in a fresh JVM), on
     * which both the monolithic calls and numpywren's workers then run, so that the baseline is the
     * best this machine has and both sides use the same library. JBLAS, never the fastest where
     * OpenBLAS loads, is left out of quick runs.
     */
    private static String fastestProvider(int cores, boolean quick) throws IOException, InterruptedException {
        Map<String, Double> rates = new LinkedHashMap<>();
        for (LinearAlgebra la : LinearAlgebraProviders.availableNative()) {
            if (quick && la.name().equals("jblas") && rates.size() > 0) {
                continue;
            }
            provider = la.name();
            rates.put(la.name(), trial("dgemm-rate", "-", new Size(2048, 0), cores, "-").get("gflops").asDouble());
        }
        if (rates.isEmpty()) {
            System.out.printf("no native kernel provider loads here (%s): both sides run on netlib's pure Java%n",
                    LinearAlgebraProviders.unavailable());
            return "netlib";
        }
        String fastest = rates.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        StringBuilder each = new StringBuilder();
        rates.forEach((name, rate) -> each.append(each.length() == 0 ? "" : ", ").append(String.format("%s %.1f", name, rate)));
        System.out.printf("kernel provider: %s, the fastest native one here (DGEMM n=2048 on %d threads: %s GFLOP/s); "
                + "the monolithic calls and numpywren's workers both run on it%n", fastest, cores, each);
        LinearAlgebraProviders.unavailable().forEach((name, why) -> System.out.printf("  (%s not measured: %s)%n", name, why));
        return fastest;
    }

    /**
     * Runs one trial in a fresh JVM with {@code blasThreads} OpenBLAS threads, on the chosen kernel
     * provider, and returns its JSON line; {@code warmUp} is "full" (an untimed run of the same size
     * first) or "small".
     */
    private static JsonNode trial(String mode, String algorithm, Size size, int blasThreads, String warmUp)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        // MaxHeapFreeRatio=100: G1 must not hand heap back between the warm-up and the timed run,
        // or the timed run first-touches it again (the numpywren launcher sets the same).
        ProcessBuilder pb = new ProcessBuilder(java, "-XX:MaxRAMPercentage=60", "-XX:MaxHeapFreeRatio=100", "-cp",
                System.getProperty("java.class.path"), AlgorithmTrial.class.getName(), mode, algorithm,
                String.valueOf(size.n()), String.valueOf(size.block()), warmUp);
        pb.environment().put("OPENBLAS_NUM_THREADS", String.valueOf(blasThreads));
        pb.environment().put(LinearAlgebraProviders.ENV, provider);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        String lastLine = output.strip().lines().reduce((a, b) -> b).orElse("");
        if (exit != 0 || !lastLine.startsWith("{")) {
            throw new IllegalStateException(mode + " trial of " + algorithm + " n=" + size.n() + " failed (exit " + exit
                    + "): " + output.strip());
        }
        return new ObjectMapper().readTree(lastLine);
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }
}

package io.numpywren.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.numpywren.kernel.Kernel;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.Kernels;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * GFLOP/s of each block kernel per provider at several block sizes, printed beside the
 * machine's monolithic DGEMM rate measured in the same run with the same provider, so every
 * figure that compares is a ratio taken side by side.
 *
 * <pre>
 * java -cp 'bench/target/*:bench/target/lib/*' io.numpywren.bench.KernelBenchmark \
 *      [--quick] [--blocks 256,512,...] [--providers netlib,openblas,jblas] [--kernels gemm,trsm] [--json out.json]
 * </pre>
 */
public final class KernelBenchmark {
    private static final int MONOLITHIC_N = 4096;

    /** How each benchmarked kernel is fed: a name, its inputs for block size b, its arguments. */
    record Case(String kernel, Function<Integer, List<Block>> inputs, KernelArgs args, int maxBlock) {
    }

    private record Measurement(String provider, String kernel, int block, double medianSeconds, double minSeconds,
                               double maxSeconds, int repetitions, long flops, double gflops) {
    }

    private final Options options;

    private KernelBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        new KernelBenchmark(options).run();
    }

    private static Block random(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] d = new double[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextDouble(-1, 1);
        }
        return Block.wrap(rows, cols, d);
    }

    private static Block spd(int n, long seed) {
        Block a = random(n, n, seed);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                a.set(i, j, a.get(j, i));
            }
            a.set(j, j, n);
        }
        return a;
    }

    private static Block lowerTriangle(int n, long seed) {
        Block a = random(n, n, seed);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                a.set(i, j, 0);
            }
            a.set(j, j, n);
        }
        return a;
    }

    /** Each benchmarked kernel with block-sized inputs made as its tasks get them. */
    static List<Case> cases(LinearAlgebra la) {
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("gemm", b -> List.of(random(b, b, 1), random(b, b, 2)), KernelArgs.NONE, Integer.MAX_VALUE));
        cases.add(new Case("syrk", b -> List.of(random(b, b, 1), random(b, b, 2), random(b, b, 3)), KernelArgs.NONE,
                Integer.MAX_VALUE));
        cases.add(new Case("trsm", b -> List.of(lowerTriangle(b, 1), random(b, b, 2)),
                KernelArgs.of("right", true, "transA", true), Integer.MAX_VALUE));
        cases.add(new Case("chol", b -> List.of(spd(b, 1)), KernelArgs.NONE, Integer.MAX_VALUE));
        cases.add(new Case("qr_factor", b -> List.of(random(b, b, 1)), KernelArgs.NONE, Integer.MAX_VALUE));
        cases.add(new Case("qr_leaf", b -> {
            List<Block> vtr = Kernels.get("qr_factor").run(la, List.of(random(b, b, 1)), KernelArgs.NONE);
            return List.of(vtr.get(0), vtr.get(1), random(b, b, 2));
        }, KernelArgs.NONE, Integer.MAX_VALUE));
        cases.add(new Case("qr_trailing_update", b -> {
            List<Block> vtr = Kernels.get("qr_factor").run(la, List.of(random(b, b, 1), random(b, b, 2)),
                    KernelArgs.NONE);
            return List.of(vtr.get(0), vtr.get(1), random(b, b, 3), random(b, b, 4));
        }, KernelArgs.NONE, Integer.MAX_VALUE));
        cases.add(new Case("lq_factor", b -> List.of(random(b, b, 1)), KernelArgs.NONE, Integer.MAX_VALUE));
        cases.add(new Case("lq_leaf", b -> {
            List<Block> vtl = Kernels.get("lq_factor").run(la, List.of(random(b, b, 1)), KernelArgs.NONE);
            return List.of(vtl.get(0), vtl.get(1), random(b, b, 2));
        }, KernelArgs.NONE, Integer.MAX_VALUE));
        // The dense SVD is the one kernel that is not GEMM-bound; beyond 1024 it dominates the run.
        cases.add(new Case("singular_values", b -> List.of(random(b, b, 1)), KernelArgs.NONE, 1024));
        return cases;
    }

    private void run() throws IOException {
        List<LinearAlgebra> providers = new ArrayList<>();
        for (String name : options.providers) {
            providers.add(LinearAlgebraProviders.select(name));
        }
        System.out.printf("numpywren kernel benchmark: %d cores, Java %s, blocks %s, %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Arrays.toString(options.blocks), options.quick ? "quick" : "full");
        Map<String, Double> monolithic = new LinkedHashMap<>();
        List<Measurement> results = new ArrayList<>();
        for (LinearAlgebra la : providers) {
            System.out.printf("%nprovider %s: %s%n", la.name(), la.implementation());
            Measurement mono = measureMonolithicDgemm(la, options.monolithicN);
            monolithic.put(la.name(), mono.gflops());
            System.out.printf("  monolithic dgemm n=%d: %.1f GFLOP/s (median of %d, %.3f..%.3f s)%n", options.monolithicN,
                    mono.gflops(), mono.repetitions(), mono.minSeconds(), mono.maxSeconds());
            System.out.printf("  %-20s %6s %10s %10s %9s  %s%n", "kernel", "block", "GFLOP/s", "vs dgemm", "median s",
                    "spread (min..max s)");
            for (Case c : cases(la)) {
                if (options.kernels != null && !options.kernels.contains(c.kernel())) {
                    continue;
                }
                for (int b : options.blocks) {
                    if (b > c.maxBlock()) {
                        continue;
                    }
                    Measurement m = measureKernel(la, c, b);
                    results.add(m);
                    System.out.printf("  %-20s %6d %10.2f %9.2fx %9.4f  %.4f..%.4f (n=%d)%n", c.kernel(), b, m.gflops(),
                            m.gflops() / mono.gflops(), m.medianSeconds(), m.minSeconds(), m.maxSeconds(),
                            m.repetitions());
                }
            }
        }
        LinearAlgebraProviders.unavailable().forEach((name, why) -> {
            if (!options.providers.contains(name)) {
                System.out.printf("%nprovider %s: not run: %s%n", name, why);
            }
        });
        printSideBySide(providers, monolithic, results);
        printSummary(providers, monolithic, results);
        writeJson(providers, monolithic, results);
    }

    /** Every kernel's GFLOP/s on each provider, one column a provider, measured in this run. */
    private void printSideBySide(List<LinearAlgebra> providers, Map<String, Double> monolithic,
                                        List<Measurement> results) {
        if (providers.size() < 2) {
            return;
        }
        StringBuilder header = new StringBuilder(String.format("%n%-20s %6s", "GFLOP/s", "block"));
        for (LinearAlgebra la : providers) {
            header.append(String.format(" %10s", la.name()));
        }
        System.out.println(header);
        StringBuilder mono = new StringBuilder(String.format("%-20s %6d", "dgemm (monolithic)", options.monolithicN));
        for (LinearAlgebra la : providers) {
            mono.append(String.format(" %10.2f", monolithic.get(la.name())));
        }
        System.out.println(mono);
        Map<String, Map<String, Double>> byRow = new LinkedHashMap<>();
        for (Measurement m : results) {
            byRow.computeIfAbsent(String.format("%-20s %6d", m.kernel(), m.block()), k -> new LinkedHashMap<>())
                    .put(m.provider(), m.gflops());
        }
        byRow.forEach((row, rates) -> {
            StringBuilder line = new StringBuilder(row);
            for (LinearAlgebra la : providers) {
                Double rate = rates.get(la.name());
                line.append(rate == null ? String.format(" %10s", "-") : String.format(" %10.2f", rate));
            }
            System.out.println(line);
        });
    }

    private void printSummary(List<LinearAlgebra> providers, Map<String, Double> monolithic, List<Measurement> results) {
        LinearAlgebra fastest = null;
        for (LinearAlgebra la : providers) {
            if (fastest == null || monolithic.get(la.name()) > monolithic.get(fastest.name())) {
                fastest = la;
            }
        }
        for (Measurement m : results) {
            if (fastest != null && m.provider().equals(fastest.name()) && m.kernel().equals("gemm") && m.block() == 2048) {
                double ratio = m.gflops() / monolithic.get(fastest.name());
                System.out.printf("%nsummary: gemm kernel at block 2048 on %s runs at %.2f of monolithic dgemm n=%d"
                        + " (%.1f vs %.1f GFLOP/s); target ≥ 0.90: %s%n", fastest.name(), ratio, options.monolithicN,
                        m.gflops(), monolithic.get(fastest.name()), ratio >= 0.90 ? "met" : "NOT met");
            }
        }
    }

    private void writeJson(List<LinearAlgebra> providers, Map<String, Double> monolithic, List<Measurement> results)
            throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "kernels");
        doc.put("version", 1);
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("java", System.getProperty("java.version"));
        doc.put("quick", options.quick);
        Map<String, String> implementations = new LinkedHashMap<>();
        for (LinearAlgebra la : providers) {
            implementations.put(la.name(), la.implementation());
        }
        doc.put("providers", implementations);
        doc.put("monolithicDgemmN", options.monolithicN);
        doc.put("monolithicDgemmGflops", monolithic);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Measurement m : results) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("provider", m.provider());
            row.put("kernel", m.kernel());
            row.put("block", m.block());
            row.put("gflops", m.gflops());
            row.put("ratioToMonolithicDgemm", m.gflops() / monolithic.get(m.provider()));
            row.put("medianSeconds", m.medianSeconds());
            row.put("minSeconds", m.minSeconds());
            row.put("maxSeconds", m.maxSeconds());
            row.put("repetitions", m.repetitions());
            row.put("flops", m.flops());
            rows.add(row);
        }
        doc.put("results", rows);
        Path out = options.json;
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), doc);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private Measurement measureKernel(LinearAlgebra la, Case c, int b) {
        Kernel kernel = Kernels.get(c.kernel());
        List<Block> inputs = c.inputs().apply(b);
        List<int[]> shapes = new ArrayList<>();
        for (Block in : inputs) {
            shapes.add(new int[] {in.rows(), in.cols()});
        }
        long flops = kernel.flops(shapes, c.args());
        double[] seconds = time(() -> kernel.run(la, inputs, c.args()), flops);
        return measurement(la.name(), c.kernel(), b, seconds, flops);
    }

    private Measurement measureMonolithicDgemm(LinearAlgebra la, int n) {
        double[] a = random(n, n, 1).data();
        double[] b = random(n, n, 2).data();
        double[] c = new double[n * n];
        long flops = 2L * n * n * n;
        double[] seconds = time(() -> la.dgemm(false, false, n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n), flops);
        return measurement(la.name(), "monolithic dgemm", n, seconds, flops);
    }

    private static Measurement measurement(String provider, String kernel, int block, double[] seconds, long flops) {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return new Measurement(provider, kernel, block, median, sorted[0], sorted[sorted.length - 1], sorted.length,
                flops, flops / median / 1e9);
    }

    /** One warm-up, then repetitions until both a minimum count and a minimum total time are reached. */
    private double[] time(Runnable work, long flops) {
        work.run();
        List<Double> samples = new ArrayList<>();
        double total = 0;
        while (samples.size() < options.minRepetitions
                || (total < options.minSeconds && samples.size() < options.maxRepetitions)) {
            long start = System.nanoTime();
            work.run();
            double s = (System.nanoTime() - start) / 1e9;
            samples.add(s);
            total += s;
        }
        return samples.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Command-line options. */
    private static final class Options {
        boolean quick;
        int[] blocks = {256, 512, 1024, 2048, 4096};
        List<String> providers;
        List<String> kernels;
        Path json = Path.of("bench/target/kernel-bench.json");
        int monolithicN = MONOLITHIC_N;
        int minRepetitions = 3;
        int maxRepetitions = 7;
        double minSeconds = 1.0;

        static Options parse(String[] args) {
            Options o = new Options();
            List<String> requested = null;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> {
                        o.quick = true;
                        o.blocks = new int[] {512, 2048};
                        o.minRepetitions = 3;
                        o.maxRepetitions = 3;
                        o.minSeconds = 0;
                    }
                    case "--blocks" -> o.blocks = Arrays.stream(value(args, ++i, "--blocks").split(","))
                            .mapToInt(Integer::parseInt).toArray();
                    case "--providers" -> requested = List.of(value(args, ++i, "--providers").split(","));
                    case "--kernels" -> o.kernels = List.of(value(args, ++i, "--kernels").split(","));
                    case "--json" -> o.json = Path.of(value(args, ++i, "--json"));
                    case "--monolithic-n" -> o.monolithicN = Integer.parseInt(value(args, ++i, "--monolithic-n"));
                    case "--help", "-h" -> {
                        System.out.println("usage: KernelBenchmark [--quick] [--blocks 256,512,...] "
                                + "[--providers netlib,openblas,jblas] [--kernels gemm,trsm,...] [--monolithic-n 4096] [--json out.json]");
                        System.exit(0);
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "' (try --help)");
                }
            }
            if (requested == null) {
                requested = new ArrayList<>();
                for (LinearAlgebra la : LinearAlgebraProviders.availableNative()) {
                    requested.add(la.name());
                }
                if (o.quick && !requested.isEmpty()) {
                    requested = List.of(LinearAlgebraProviders.select("auto").name()); // the fastest only
                }
                if (requested.isEmpty()) {
                    requested.add("auto");
                }
            }
            o.providers = requested;
            for (int b : o.blocks) {
                if (b < 1) {
                    throw new IllegalArgumentException("block sizes must be positive, got " + b);
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }
    }
}

package io.numpywren.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.InMemoryBlockStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Dependency queries per second of the LAmbdaPACK analyser on one thread: for a uniform
 * sample of a program's tasks, {@code children(t)} and {@code parentCount(t)} each count as a
 * query, for Cholesky at 64 and 256 blocks a side and tiled QR at 32. The reference system
 * answered one in 17–117 ms with sympy; the target is at least 100,000 per second for Cholesky.
 *
 * <pre>
 * java -cp 'bench/target/*:bench/target/lib/*' io.numpywren.bench.AnalyserBenchmark [--quick] [--json out.json]
 * </pre>
 */
public final class AnalyserBenchmark {
    private static final int SAMPLE = 20_000;
    private static final int REPETITIONS = 5;

    private record Result(String program, int blocks, long tasks, double queriesPerSecond, double minQps,
                          double maxQps, double microsPerQuery, double starterSeconds) {
    }

    public static void main(String[] args) throws IOException {
        boolean quick = false;
        Path json = Path.of("bench/target/analyser-bench.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option '" + args[i]
                        + "' (usage: AnalyserBenchmark [--quick] [--json out.json])");
            }
        }
        List<Result> results = new ArrayList<>();
        System.out.printf("LAmbdaPACK analyser benchmark: children + parentCount queries on one thread%n");
        System.out.printf("%-10s %6s %12s %14s %22s %10s %12s%n", "program", "blocks", "tasks", "queries/s",
                "spread (min..max)", "µs/query", "starters s");
        for (int n : quick ? new int[] {64} : new int[] {64, 256}) {
            results.add(print(measure("cholesky", n, cholesky(n))));
        }
        results.add(print(measure("qr", 32, qr(32))));
        write(json, results);
    }

    private static Result print(Result r) {
        System.out.printf("%-10s %6d %12d %14.0f %10.0f..%-10.0f %10.2f %12.3f%n", r.program(), r.blocks(),
                r.tasks(), r.queriesPerSecond(), r.minQps(), r.maxQps(), r.microsPerQuery(), r.starterSeconds());
        return r;
    }

    private static BoundProgram qr(int blocks) {
        InMemoryBlockStore store = new InMemoryBlockStore();
        BlockMatrix a = BlockMatrix.builder(store, "in", "A").shape(blocks, blocks).blockSize(1).create();
        return BuiltinPrograms.qr(a, "job").program();
    }

    private static BoundProgram cholesky(int blocks) {
        InMemoryBlockStore store = new InMemoryBlockStore();
        // The analyser needs only the block grid: one-element blocks keep the setup free.
        BlockMatrix a = BlockMatrix.builder(store, "in", "A").shape(blocks, blocks).blockSize(1).create();
        return BuiltinPrograms.cholesky(a, "job").program();
    }

    private static Result measure(String name, int blocks, BoundProgram program) {
        Analyser analyser = program.analyser();
        long tasks = analyser.taskCount();
        List<Task> sample = sample(analyser, tasks);
        long starterStart = System.nanoTime();
        analyser.starterList();
        double starterSeconds = (System.nanoTime() - starterStart) / 1e9;
        long sink = 0;
        double[] qps = new double[REPETITIONS];
        for (int rep = -3; rep < REPETITIONS; rep++) { // negative reps warm up the JIT
            long start = System.nanoTime();
            for (Task t : sample) {
                sink += analyser.children(t).size();
                sink += analyser.parentCount(t);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (rep >= 0) {
                qps[rep] = 2.0 * sample.size() / seconds;
            }
        }
        if (sink == 42) {
            System.out.print(""); // keeps the queries from being optimised away
        }
        double[] sorted = qps.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        return new Result(name, blocks, tasks, median, sorted[0], sorted[sorted.length - 1], 1e6 / median,
                starterSeconds);
    }

    /** A uniform sample of the program's tasks, by reservoir sampling over one enumeration. */
    private static List<Task> sample(Analyser analyser, long tasks) {
        SplittableRandom rng = new SplittableRandom(42);
        List<Task> reservoir = new ArrayList<>(SAMPLE);
        long[] seen = new long[1];
        analyser.forEachTask(t -> {
            long i = seen[0]++;
            if (i < SAMPLE) {
                reservoir.add(t);
            } else {
                long j = rng.nextLong(i + 1);
                if (j < SAMPLE) {
                    reservoir.set((int) j, t);
                }
            }
        });
        return reservoir;
    }

    private static void write(Path json, List<Result> results) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "analyser");
        doc.put("version", 1);
        doc.put("sample", SAMPLE);
        doc.put("results", results);
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        System.out.println("wrote " + json.toAbsolutePath());
    }
}

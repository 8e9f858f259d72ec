package io.numpywren.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.ConfigFactory;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.Numpywren;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end task throughput of the scheduler: Cholesky with 1x1 blocks, so the kernels cost
 * nothing and every microsecond is the analyser, the job actor, the local backend, the task
 * executor and the in-memory store. Reports tasks per second (median of several runs after a
 * warm-up, with the spread), microseconds per task and the peak heap, side by side without a
 * journal and with the embedded one (every finished task journaled, snapshots included), and the
 * ratio between them. The runs happen in a child JVM limited to {@value #HEAP_LIMIT}, so the table
 * shows that even the largest job (256 blocks a side, about 2.8 million tasks) fits in it.
 *
 * <pre>
 * java -cp 'bench/target/*:bench/target/lib/*' io.numpywren.bench.SchedulerBenchmark [--quick] [--json out.json]
 * </pre>
 */
public final class SchedulerBenchmark {
    private record Result(String journal, int blocks, long tasks, double tasksPerSecond, double minTasksPerSecond,
                          double maxTasksPerSecond, double microsPerTask, long peakHeapBytes, int runs) {
    }

    /** The journals compared: none, and the embedded H2 database a file store's jobs get by default. */
    private static final List<String> JOURNALS = List.of("none", "embedded");

    static final String HEAP_LIMIT = "1g";
    private static final String IN_THIS_JVM = "--in-this-jvm";

    public static void main(String[] args) throws IOException, InterruptedException {
        boolean quick = false;
        boolean inThisJvm = false;
        Path json = Path.of("bench/target/scheduler-bench.json");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--json" -> json = Path.of(args[++i]);
                case IN_THIS_JVM -> inThisJvm = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i]
                        + "' (usage: SchedulerBenchmark [--quick] [--json out.json])");
            }
        }
        if (!inThisJvm) {
            runInChildJvm(quick, json);
            return;
        }
        // Initialise logging before the actor system starts on other threads, or SLF4J warns about replayed calls.
        org.slf4j.LoggerFactory.getILoggerFactory();
        int workers = Runtime.getRuntime().availableProcessors();
        System.out.printf("scheduler benchmark: Cholesky with 1x1 blocks through the actors and the local backend "
                + "(%d workers, in-memory store)%n", workers);
        System.out.printf("JVM heap limit: %.0f MiB (-Xmx%s)%n", Runtime.getRuntime().maxMemory() / 1048576.0,
                HEAP_LIMIT);
        System.out.printf("%9s %8s %12s %12s %22s %10s %12s%n", "journal", "blocks", "tasks", "tasks/s",
                "spread (min..max)", "µs/task", "peak heap");
        List<Result> results = new ArrayList<>();
        Path journalDir = Files.createTempDirectory("numpywren-bench-journal");
        Map<String, Numpywren> drivers = new LinkedHashMap<>();
        try {
            for (String journal : JOURNALS) {
                drivers.put(journal, Numpywren.create(ConfigFactory.parseString(
                        "numpywren.backends.local.workers = " + workers + "\nnumpywren.scheduler.progress-interval = 10s"
                                + "\nnumpywren.journal.kind = " + journal
                                + "\nnumpywren.journal.directory = \"" + journalDir + "\"")));
            }
            for (Numpywren nw : drivers.values()) {
                run("warm-up", nw, 64, 1, 2); // the JIT compiles the hot paths before anything is timed
            }
            int[] sizes = quick ? new int[] {64, 128} : new int[] {64, 128, 256};
            for (int n : sizes) {
                // Side by side at each size. The largest runs once (256: 2.8 million tasks) or, when quick, twice (128).
                Map<String, Result> atSize = new LinkedHashMap<>();
                for (Map.Entry<String, Numpywren> d : drivers.entrySet()) {
                    Result r = run(d.getKey(), d.getValue(), n, n >= 256 ? 1 : quick && n >= 128 ? 2 : 3, 0);
                    results.add(r);
                    atSize.put(d.getKey(), r);
                    System.out.printf("%9s %8d %12d %12.0f %10.0f..%-10.0f %10.2f %9.0f MiB%n", r.journal(), r.blocks(),
                            r.tasks(), r.tasksPerSecond(), r.minTasksPerSecond(), r.maxTasksPerSecond(),
                            r.microsPerTask(), r.peakHeapBytes() / 1048576.0);
                }
                System.out.printf("%9s %8d   embedded/none throughput: %.2f%n", "", n,
                        atSize.get("embedded").tasksPerSecond() / atSize.get("none").tasksPerSecond());
            }
        } finally {
            drivers.values().forEach(Numpywren::close);
            try (var files = Files.walk(journalDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("benchmark", "scheduler");
        doc.put("version", 2);
        doc.put("workers", workers);
        doc.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        doc.put("results", results);
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        System.out.println("wrote " + json.toAbsolutePath());
    }

    /** Runs this benchmark in a JVM of its own with the heap limited to {@link #HEAP_LIMIT}. */
    private static void runInChildJvm(boolean quick, Path json) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + HEAP_LIMIT, "-cp",
                System.getProperty("java.class.path"), SchedulerBenchmark.class.getName(), IN_THIS_JVM,
                "--json", json.toAbsolutePath().toString()));
        if (quick) {
            command.add("--quick");
        }
        Process child = new ProcessBuilder(command).inheritIO().start();
        int exit = child.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("the scheduler benchmark's JVM (-Xmx" + HEAP_LIMIT + ") exited with " + exit);
        }
    }

    private static Result run(String journal, Numpywren nw, int n, int runs, int warmups) {
        double[] rates = new double[runs];
        long tasks = 0;
        long peak = 0;
        for (int i = -warmups; i < runs; i++) {
            BlockMatrix a = nw.randomSpd("A", n, 1, 7);
            System.gc();
            resetPeaks();
            JobReport report = nw.cholesky(a).toCompletableFuture().join().report();
            peak = Math.max(peak, peakHeap());
            tasks = report.tasks();
            if (i >= 0) {
                rates[i] = report.tasks() / report.wallSeconds();
            }
            a.free();
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        return new Result(journal, n, tasks, median, sorted[0], sorted[sorted.length - 1], 1e6 / median, peak, runs);
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    private static long peakHeap() {
        long total = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                total += pool.getPeakUsage().getUsed();
            }
        }
        return total;
    }
}

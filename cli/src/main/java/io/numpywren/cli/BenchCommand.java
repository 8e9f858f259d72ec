package io.numpywren.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.numpywren.bench.AlgorithmBenchmark;
import io.numpywren.bench.AnalyserBenchmark;
import io.numpywren.bench.KernelBenchmark;
import io.numpywren.bench.PlanBenchmark;
import io.numpywren.bench.SchedulerBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code numpywren bench}: the benchmarks of the bench module, each printing a table; --json merges their JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure kernels, algorithms, the scheduler or the analyser, side by side in one run.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "kernels, algorithms, scheduler, analyser, plan or all")
    String which;

    @Option(names = "--quick", description = "smaller sizes and fewer repetitions")
    boolean quick;

    @Option(names = "--json", description = "write every benchmark's results into one JSON file")
    Path json;

    private interface Benchmark {
        void run(String[] args) throws Exception;
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Benchmark> all = new LinkedHashMap<>();
        all.put("kernels", KernelBenchmark::main);
        all.put("analyser", AnalyserBenchmark::main);
        all.put("scheduler", SchedulerBenchmark::main);
        all.put("algorithms", AlgorithmBenchmark::main);
        all.put("plan", PlanBenchmark::main);
        String choice = which.toLowerCase(Locale.ROOT);
        List<String> selected = choice.equals("all") ? List.copyOf(all.keySet()) : List.of(choice);
        if (!all.containsKey(selected.get(0))) {
            throw new IllegalArgumentException("unknown benchmark '" + which
                    + "' (choose kernels, algorithms, scheduler, analyser, plan or all)");
        }
        Map<String, Object> merged = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        for (String name : selected) {
            Path part = Files.createTempFile("numpywren-bench-" + name, ".json");
            try {
                String[] args = quick ? new String[] {"--quick", "--json", part.toString()}
                        : new String[] {"--json", part.toString()};
                all.get(name).run(args);
                merged.put(name, mapper.readTree(part.toFile()));
            } finally {
                Files.deleteIfExists(part);
            }
            System.out.println();
        }
        if (json != null) {
            if (json.toAbsolutePath().getParent() != null) {
                Files.createDirectories(json.toAbsolutePath().getParent());
            }
            mapper.writeValue(json.toFile(), merged);
            System.out.println("wrote " + json.toAbsolutePath());
        }
        return 0;
    }
}

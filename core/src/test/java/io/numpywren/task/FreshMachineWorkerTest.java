package io.numpywren.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.testing.BareMachine;
import io.numpywren.testing.TaskWorkerProcess;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * A worker on a machine with nothing installed, as every cloud function and every fresh machine is:
 * a JVM of its own with only core and its dependencies on the class path, started with this
 * machine's BLAS, LAPACK, OpenBLAS and gfortran libraries hidden ({@link BareMachine}). Its
 * {@code auto} provider must choose the bundled OpenBLAS and run native kernels.
 */
class FreshMachineWorkerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path storeDir;

    @Test
    void autoPicksTheBundledOpenBlasAndRunsACholAndAGemmTaskNatively() throws Exception {
        BareMachine.unavailableReason().ifPresent(reason -> abort("cannot hide the system's libraries: " + reason));
        FileSystemBlockStore store = new FileSystemBlockStore(storeDir);
        int n = 384;
        Block a = TestBlocks.spd(n, 1);
        Block x = TestBlocks.random(n, n, 2);
        Block y = TestBlocks.random(n, n, 3);
        store.put("in/A/0_0", BlockCodec.encode(a));
        store.put("in/X/0_0", BlockCodec.encode(x));
        store.put("in/Y/0_0", BlockCodec.encode(y));
        List<TaskSpec> specs = List.of(
                new TaskSpec(TaskSpec.VERSION, "job", "chol", 1, "out", List.of("in"), "chol", Map.of(),
                        List.of("in/A/0_0"), List.of(new TaskSpec.OutputBlock("out/L/0_0", "float64"))),
                new TaskSpec(TaskSpec.VERSION, "job", "gemm", 1, "out", List.of("in"), "gemm", Map.of(),
                        List.of("in/X/0_0", "in/Y/0_0"), List.of(new TaskSpec.OutputBlock("out/C/0_0", "float64"))));

        List<String> lines = runWorker(specs);

        JsonNode chosen = JSON.readTree(lines.get(0));
        assertThat(chosen.get("provider").asText()).as("the worker's choice: %s", chosen).isEqualTo("openblas");
        assertThat(chosen.get("native").asBoolean()).isTrue();
        assertThat(chosen.get("unavailable").has("netlib"))
                .as("the system's BLAS was hidden from the worker, so netlib had nothing to bind: %s", chosen).isTrue();
        for (int i = 0; i < specs.size(); i++) {
            TaskResult r = TaskCodec.decodeResult(lines.get(i + 1).getBytes(StandardCharsets.UTF_8));
            assertThat(r.ok()).as("%s: %s", r.taskId(), r.error()).isTrue();
            assertThat(r.kernelProvider()).as("%s ran natively on the bundled OpenBLAS", r.taskId()).isEqualTo("openblas");
        }
        Block l = BlockCodec.decode("out/L/0_0", store.get("out/L/0_0"));
        assertThat(TestBlocks.choleskyResidual(a, l)).isLessThan(n * 1e-15);
        Block c = BlockCodec.decode("out/C/0_0", store.get("out/C/0_0"));
        assertThat(TestBlocks.productResidual(x, y, c)).isLessThan(2 * n * Math.ulp(1.0));
    }

    /** Starts the worker JVM on a bare machine, feeds it the specs and returns what it printed, line by line. */
    private List<String> runWorker(List<TaskSpec> specs) throws Exception {
        String classpath = System.getProperty("numpywren.worker.classes") + java.io.File.pathSeparator
                + System.getProperty("numpywren.worker.test-classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("numpywren.worker.classpath"))).trim();
        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", classpath, TaskWorkerProcess.class.getName(), storeDir.toString());
        ProcessBuilder pb = new ProcessBuilder(BareMachine.wrap(java));
        pb.environment().remove(LinearAlgebraProviders.ENV); // auto: the worker chooses
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        Path log = Files.createTempFile("fresh-machine-worker", ".log");
        pb.redirectError(log.toFile());
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            for (TaskSpec spec : specs) {
                in.write(TaskCodec.encode(spec));
                in.write('\n');
            }
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the worker finished").isTrue();
        String stderr = Files.readString(log);
        assertThat(p.exitValue()).as("worker exit status; its stderr: %s", stderr).isZero();
        assertThat(stderr).as("a library that is simply absent leaves no noise on stderr").isEmpty();
        assertThat(lines).as("the worker's output").hasSize(specs.size() + 1);
        return lines;
    }
}

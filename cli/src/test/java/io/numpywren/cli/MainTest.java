package io.numpywren.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.npy.NpyExport;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    private Path npy(String name, Block dense) {
        BlockMatrix m = BlockMatrices.fromDense(dense, BlockMatrix.builder(new InMemoryBlockStore(), "t", "m").blockSize(8));
        Path file = tmp.resolve(name);
        NpyExport.exportFile(m, file);
        return file;
    }

    @Test
    void runChecksTheResultAndPrintsAReportAndJson() throws Exception {
        Path json = tmp.resolve("report.json");
        Path l = tmp.resolve("L.npy");
        Run r = run("run", "cholesky", "--n", "96", "--block", "32", "--workers", "2", "--json", json.toString(),
                "--output", l.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("wall time", "tasks", "GFLOP/s", "bytes read", "retries", "duplicate results",
                "worker-seconds", "kernel provider", "residual: ");
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("algorithm").asText()).isEqualTo("cholesky");
        assertThat(doc.get("n").asLong()).isEqualTo(96);
        assertThat(doc.get("tasks").asLong()).isEqualTo(3 + 3 + 4);
        assertThat(doc.get("residual").asDouble()).isLessThan(1e-12);
        for (String field : new String[] {"block", "backend", "kernelProvider", "wallSeconds", "gflops", "retries",
                "workerSecondsBusy", "workerSecondsAllocated"}) {
            assertThat(doc.has(field)).as(field).isTrue();
        }
        assertThat(Files.size(l)).isGreaterThan(96L * 96 * 8);
    }

    @Test
    void traceWritesASpanPerTaskPhase() throws Exception {
        Path trace = tmp.resolve("trace.json");
        Run r = run("run", "cholesky", "--n", "64", "--block", "16", "--trace", trace.toString(), "--no-progress");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode events = new ObjectMapper().readTree(trace.toFile()).get("traceEvents");
        long phases = 0;
        for (JsonNode e : events) {
            if (e.get("ph").asText().equals("X")) {
                phases++;
                assertThat(e.get("dur").asDouble()).isGreaterThanOrEqualTo(0);
                assertThat(e.get("args").get("task").asText()).contains(":");
            }
        }
        assertThat(phases).isEqualTo(3L * (4 + 6 + 10));
    }

    @Test
    void everyAlgorithmRunsFromTheCommandLine() {
        for (String[] args : new String[][] {{"gemm", "--n", "50", "--m", "50"}, {"tsqr", "--n", "80", "--m", "10"},
                {"qr", "--n", "50", "--m", "30"}, {"svd", "--n", "40"}, {"solve", "--n", "45"}}) {
            String[] full = new String[args.length + 4];
            full[0] = "run";
            System.arraycopy(args, 0, full, 1, args.length);
            full[args.length + 1] = "--block";
            full[args.length + 2] = "16";
            full[args.length + 3] = "--no-progress";
            Run r = run(full);
            assertThat(r.exit()).as(args[0] + ": " + r.err()).isZero();
            assertThat(r.out()).contains("residual: ");
        }
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() throws Exception {
        Block notSpd = Block.identity(20, 20);
        notSpd.set(13, 13, -2);
        Path bad = npy("bad.npy", notSpd);
        Path garbage = tmp.resolve("garbage.npy");
        Files.writeString(garbage, "not a numpy file");
        String[][] cases = {
                {"run", "lu", "--n", "8", "--block", "4"},
                {"run", "cholesky", "--input", bad.toString(), "--block", "8"},
                {"run", "cholesky", "--input", garbage.toString(), "--block", "8"},
                {"run", "cholesky", "--input", tmp.resolve("missing.npy").toString(), "--block", "8"},
                {"run", "gemm", "--n", "10", "--m", "12", "--block", "4"},
                {"run", "tsqr", "--n", "10", "--m", "12", "--block", "4"},
        };
        String[] expected = {"unknown algorithm 'lu'", "not positive definite", "garbage.npy", "does not exist",
                "gemm needs", "tsqr needs"};
        for (int i = 0; i < cases.length; i++) {
            Run r = run(cases[i]);
            assertThat(r.exit()).as(String.join(" ", cases[i])).isNotZero();
            assertThat(r.err()).as(String.join(" ", cases[i])).startsWith("error: ").contains(expected[i])
                    .doesNotContain("\tat ").hasLineCount(1);
        }
    }

    @Test
    void lambdapackCheckValidatesABuiltinAndAFile() throws Exception {
        Run r = run("lambdapack", "check", "cholesky", "-p", "N=6");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cholesky with {N=6} is valid: 56 tasks");

        Path twice = tmp.resolve("twice.lp");
        Files.writeString(twice, """
                def twice(A: BigMatrix, B: BigMatrix, N: int):
                    for i in range(0, N):
                        B[0, 0] = chol(A[i, 0])
                """);
        Run bad = run("lambdapack", "check", twice.toString(), "-p", "N=3");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("written twice");
    }

    @Test
    void lambdapackDotDrawsTheDag() {
        Run r = run("lambdapack", "dot", "cholesky", "-p", "N=3");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("digraph \"cholesky\"").contains("->").contains("chol(I[0,0])");
        Run big = run("lambdapack", "dot", "cholesky", "-p", "N=100");
        assertThat(big.err()).contains("dot draws at most");
    }

    @Test
    void benchRejectsAnUnknownBenchmarkWithTheChoices() {
        Run r = run("bench", "gpu");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).startsWith("error: ").contains("unknown benchmark 'gpu'").contains("scheduler");
    }

    @Test
    void anOutputThatCannotBeWrittenIsAnErrorNotASuccess() {
        // As 'numpywren lambdapack dot cholesky > /dev/full' is: every write fails.
        java.io.OutputStream full = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("No space left on device");
            }
        };
        for (String[] args : new String[][] {{"lambdapack", "dot", "cholesky", "-p", "N=3"},
                {"lambdapack", "check", "cholesky", "-p", "N=4"}, {"--help"}}) {
            StringWriter err = new StringWriter();
            int exit = Main.execute(args, new PrintWriter(full, true), new PrintWriter(err, true));
            assertThat(exit).as(String.join(" ", args)).isNotZero();
            assertThat(err.toString()).as(String.join(" ", args)).contains("error: writing the output failed");
        }
    }

    @Test
    void integerOverflowInAProgramNamesTheFileLineAndColumn() throws Exception {
        Path program = tmp.resolve("overflow.lp");
        Files.writeString(program, """
                def overflow(A: BigMatrix, B: BigMatrix, N: int):
                    for i in range(0, 2 ** 200 + N):
                        B[i, 0] = chol(A[i, 0])
                """);
        for (String command : new String[] {"check", "dot"}) {
            Run r = run("lambdapack", command, program.toString(), "-p", "N=3");
            assertThat(r.exit()).as(command).isNotZero();
            assertThat(r.err()).as(command).startsWith("error: ").contains("overflow.lp:2:23: integer overflow: 2 ** 200")
                    .hasLineCount(1);
        }
    }
}

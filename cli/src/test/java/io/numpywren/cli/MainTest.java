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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @TempDir
    Path tmp;

    /** Each command fails with one line, starting "error: ", that contains its expected text, and no stack trace. */
    private static void assertOneLineErrors(String[][] cases, String[] expected) {
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertThat(r.exit()).as(String.join(" ", cases[i])).isNotZero();
            assertThat(r.err()).as(String.join(" ", cases[i])).startsWith("error: ").contains(expected[i])
                    .doesNotContain("\tat ").hasLineCount(1);
        }
    }

    @Test
    void malformedCommandLinesAndNonFiniteInputsGetOneLineNamingTheCulprit() {
        Block withNaN = Block.identity(16, 16);
        withNaN.set(9, 3, Double.NaN);
        Block withInfinity = Block.identity(16, 16);
        withInfinity.set(2, 14, Double.NEGATIVE_INFINITY);
        String[][] cases = {
                {"run", "gemm", "--n", "99999999999999999999", "--block", "8"},
                {"run", "cholesky", "--n", "64", "--n", "65", "--block", "16"},
                {"run", "cholesky", "--n", "64", "--block", "16", "--frobnicate"},
                {"lambdapack", "check", "cholesky", "-p", "N=3", "-p", "N=4"},
                {"lambdapack", "dot", "cholesky", "-p", "N=x"},
                {"lambdapack", "check", "cholesky", "-p", "N"},
                {"run", "cholesky", "--input", npy("nan.npy", withNaN).toString(), "--block", "8"},
                {"run", "solve", "--input", npy("inf.npy", withInfinity).toString(), "--block", "8"},
        };
        String[] expected = {"'99999999999999999999' is not a long (see: numpywren run --help)",
                "option '--n' (<rows>) should be specified only once", "Unknown option: '--frobnicate'",
                "-p N is given twice (3 and 4)", "-p N must be an integer, got 'x'", "-p 'N' must be NAME=INTEGER",
                "entry (9, 3) is NaN", "entry (2, 14) is -Infinity"};
        assertOneLineErrors(cases, expected);
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
        CliRun r = CliRun.of("run", "cholesky", "--n", "96", "--block", "32", "--workers", "2", "--json", json.toString(),
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
        CliRun r = CliRun.of("run", "cholesky", "--n", "64", "--block", "16", "--trace", trace.toString(), "--no-progress");
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
            CliRun r = CliRun.of(full);
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
        assertOneLineErrors(cases, expected);
    }

    @Test
    void gemmTakesAnInnerDimension() {
        CliRun r = CliRun.of("run", "gemm", "--n", "256", "--k", "640", "--block", "128", "--no-progress");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("gemm of a 256x640 matrix").containsPattern("residual: \\d\\.\\d+e-1\\d");
        String[][] cases = {
                {"run", "cholesky", "--n", "256", "--k", "640", "--block", "128"},
                {"run", "gemm", "--n", "256", "--k", "0", "--block", "128"},
        };
        assertOneLineErrors(cases, new String[] {"--k is gemm's inner dimension", "--k must be positive"});
    }

    @Test
    void lambdapackCheckValidatesABuiltinAndAFile() throws Exception {
        CliRun r = CliRun.of("lambdapack", "check", "cholesky", "-p", "N=6");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("cholesky with {N=6} is valid: 56 tasks");

        Path twice = tmp.resolve("twice.lp");
        Files.writeString(twice, """
                def twice(A: BigMatrix, B: BigMatrix, N: int):
                    for i in range(0, N):
                        B[0, 0] = chol(A[i, 0])
                """);
        CliRun bad = CliRun.of("lambdapack", "check", twice.toString(), "-p", "N=3");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("written twice");
    }

    @Test
    void lambdapackDotDrawsTheDag() {
        CliRun r = CliRun.of("lambdapack", "dot", "cholesky", "-p", "N=3");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("digraph \"cholesky\"").contains("->").contains("chol(I[0,0])");
        CliRun big = CliRun.of("lambdapack", "dot", "cholesky", "-p", "N=100");
        assertThat(big.err()).contains("more than 2000 tasks, the most dot draws");
    }

    @Test
    void benchRejectsAnUnknownBenchmarkWithTheChoices() {
        CliRun r = CliRun.of("bench", "gpu");
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
            CliRun r = CliRun.of("lambdapack", command, program.toString(), "-p", "N=3");
            assertThat(r.exit()).as(command).isNotZero();
            assertThat(r.err()).as(command).startsWith("error: ").contains("overflow.lp:2:23: integer overflow: 2 ** 200")
                    .hasLineCount(1);
        }
    }

    @Test
    void outputPathsAreCheckedBeforeTheJobAndOnlyRegularFilesAreReplaced() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("out-dir"));
        Path fifo = tmp.resolve("pipe");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        String[][] cases = {
                {"--output", "/dev/null"}, {"--output", fifo.toString()}, {"--output", dir.toString()},
                {"--output", tmp.resolve("missing/l.npy").toString()}, {"--json", "/dev/null"},
                {"--json", dir.toString()}, {"--trace", tmp.resolve("no/such/dir/t.json").toString()}};
        String[] expected = {"/dev/null is not a regular file", fifo + " is not a regular file",
                dir + " is a directory", "does not exist", "/dev/null is not a regular file", "is a directory",
                "does not exist"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of("run", "cholesky", "--n", "64", "--block", "32", "--no-progress", cases[i][0], cases[i][1]);
            assertThat(r.exit()).as(String.join(" ", cases[i])).isNotZero();
            assertThat(r.err()).as(String.join(" ", cases[i])).startsWith("error: " + cases[i][0] + " ")
                    .contains(expected[i]).hasLineCount(1);
            assertThat(r.out()).as("nothing ran: %s", String.join(" ", cases[i])).doesNotContain("wall time");
        }
        assertThat(Path.of("/dev/null")).as("still the device").satisfies(p -> assertThat(Files.isRegularFile(p)).isFalse());
        CliRun dot = CliRun.of("lambdapack", "dot", "cholesky", "-p", "N=3", "-o", "/dev/null");
        assertThat(dot.exit()).isNotZero();
        assertThat(dot.err()).contains("is not a regular file");
        CliRun ok = CliRun.of("run", "cholesky", "--n", "64", "--block", "32", "--no-progress",
                "--output", tmp.resolve("l.npy").toString(), "--json", tmp.resolve("r.json").toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(tmp.resolve("l.npy")).isRegularFile();
    }

    @Test
    void aZeroMatrixIsAValidInputWhoseExactResultsPassTheCheck() throws Exception {
        Path zero = npy("zero.npy", Block.zeros(16, 16));
        for (String algorithm : new String[] {"gemm", "qr", "tsqr", "svd"}) {
            CliRun r = CliRun.of("run", algorithm, "--input", zero.toString(), "--block", "16", "--no-progress");
            assertThat(r.exit()).as("%s: %s", algorithm, r.err()).isZero();
            assertThat(r.out()).as(algorithm).contains("residual: 0.000e+00");
        }
    }

    @Test
    void aMatrixThatIsNotSymmetricIsRefusedBeforeCholeskyOrSolveRuns() throws Exception {
        Block spd = Block.identity(24, 24);
        for (int i = 0; i < 24; i++) {
            spd.set(i, i, 30);
        }
        spd.set(3, 17, 1.0);
        spd.set(17, 3, 1.5);
        Path skewed = npy("skewed.npy", spd);
        Path out = tmp.resolve("never.npy");
        for (String algorithm : new String[] {"cholesky", "solve"}) {
            CliRun r = CliRun.of("run", algorithm, "--input", skewed.toString(), "--block", "8", "--no-progress",
                    "--output", out.toString());
            assertThat(r.exit()).as(algorithm).isNotZero();
            assertThat(r.err()).as(algorithm).startsWith("error: " + algorithm + " needs a symmetric positive definite matrix")
                    .contains("skewed.npy is not symmetric").contains("1.667e-02").hasLineCount(1);
            assertThat(out).as("no output for a refused input").doesNotExist();
        }
        spd.set(17, 3, 1.0 + 1e-15); // rounding, as a BLAS product that does not mirror leaves it
        Path nearly = npy("nearly.npy", spd);
        assertThat(CliRun.of("run", "cholesky", "--input", nearly.toString(), "--block", "8", "--no-progress").exit()).isZero();
    }

    @Test
    void aStoreLocationThatCannotServeSaysWhy() throws Exception {
        CliRun empty = CliRun.of("run", "cholesky", "--n", "16", "--block", "8", "--store", "file:");
        assertThat(empty.exit()).isNotZero();
        assertThat(empty.err()).contains("store 'file:' names no directory");
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        CliRun notDir = CliRun.of("run", "cholesky", "--n", "16", "--block", "8", "--store", "file:" + file);
        assertThat(notDir.exit()).isNotZero();
        assertThat(notDir.err()).contains("cannot open block store directory " + file + ": ")
                .contains("exists and is not a directory");
    }

    @Test
    void unclearMessagesAreClear() throws Exception {
        Path binary = Files.write(tmp.resolve("binary.lp"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0x80});
        CliRun notText = CliRun.of("lambdapack", "check", binary.toString(), "-p", "N=2");
        assertThat(notText.err()).contains(binary + ": not a LAmbdaPACK program: the file is not UTF-8 text")
                .doesNotContain("Input length");
        Path dir = Files.createDirectories(tmp.resolve("a-dir.lp"));
        assertThat(CliRun.of("lambdapack", "check", dir.toString(), "-p", "N=2").err()).contains(dir + " is a directory");
        assertThat(CliRun.of("run", "cholesky", "--input", tmp.toString(), "--block", "8").err())
                .contains("input file " + tmp + " is a directory");
        CliRun twice = CliRun.of("run", "cholesky", "--n", "16", "--block", "8", "--chaos", "kill=0.1,kill=0.2");
        assertThat(twice.exit()).isNotZero();
        assertThat(twice.err()).contains("chaos setting 'kill' is given twice");
        CliRun option = CliRun.of("run", "cholesky", "--n", "16", "--block", "8", "--block", "4");
        assertThat(option.exit()).isNotZero();
        assertThat(option.err()).contains("--block").contains("only once");
        Path rtl = Files.writeString(tmp.resolve("rtl.lp"), "def p(A: BigMatrix, N: int):\n    x = N \u202E 1\n");
        CliRun lexer = CliRun.of("lambdapack", "check", rtl.toString(), "-p", "N=2");
        assertThat(lexer.err()).contains("unexpected character U+202E").doesNotContain("\u202E");
    }

    @Test
    void absurdSizesGetOneLineWithTheFiguresBeforeAnythingIsAllocated() {
        String[][] cases = {
                {"run", "cholesky", "--n", "10000000", "--block", "4096"},
                {"run", "gemm", "--n", "3000000", "--m", "3000000", "--block", "100000"},
                {"run", "cholesky", "--n", "1024", "--block", "1"},
                {"run", "svd", "--n", "4096", "--block", "2"},
                // 600 x 600 blocks: 288 MB of input, which any disk here holds, and tens of millions of tasks.
                {"run", "qr", "--n", "6000", "--block", "10", "--store", "file:" + tmp.resolve("blocks")},
                {"run", "cholesky", "--n", "256", "--block", "64", "--workers", "100000"},
                {"run", "qr", "--n", "16384", "--block", "8192", "--store", "file:" + tmp.resolve("blocks"),
                        "--workers", "32"},
                {"lambdapack", "check", "cholesky", "-p", "N=2000"},
                {"lambdapack", "check", "qr", "-p", "N=100000", "-p", "M=100000"},
                {"lambdapack", "dot", "cholesky", "-p", "N=100000"},
        };
        // A real 8 TB .npy file (sparse: it takes no disk), refused from its header before any block is read.
        Path huge = tmp.resolve("huge.npy");
        boolean sparseFileMade;
        try (java.io.RandomAccessFile file = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            byte[] header = io.numpywren.npy.NpyHeader.of(io.numpywren.npy.NpyDType.FLOAT64_LITTLE, false,
                    1_000_000L, 1_000_000L).toBytes();
            file.write(header);
            file.setLength(header.length + 8_000_000_000_000L);
            sparseFileMade = true;
        } catch (java.io.IOException fileSystemWithoutSparseFiles) {
            sparseFileMade = false;
        }
        if (sparseFileMade) {
            cases = java.util.Arrays.copyOf(cases, cases.length + 1);
            cases[cases.length - 1] = new String[] {"run", "cholesky", "--input", huge.toString(), "--block", "4096"};
        }
        String[] expected = {"needs 800.0 TB", "needs 72.0 TB", "more than 20,000,000 tasks",
                "more than 20,000,000 tasks", "more than 20,000,000 tasks", "cannot run 100000 workers",
                "qr's largest task (", "more than 500000 tasks", "more than 500000 tasks", "more than 2000 tasks",
                "importing " + huge + " (1000000 x 1000000, float64) needs 8.0 TB"};
        assertOneLineErrors(cases, expected);
    }

    @Test
    void runsSharingAFileStoreNeverTouchEachOthersInputsAndLeaveNoneBehind() throws Exception {
        Path store = tmp.resolve("shared-store");
        Block a1 = Block.identity(48, 48);
        Block a2 = Block.identity(48, 48);
        for (int i = 0; i < 48; i++) {
            a1.set(i, i, 2 + i);
            a2.set(i, i, 100 - i);
            if (i > 0) {
                a1.set(i, i - 1, 0.5);
                a1.set(i - 1, i, 0.5);
            }
        }
        Path f1 = npy("a1.npy", a1);
        Path f2 = npy("a2.npy", a2);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<CliRun>> runs = new java.util.ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (Path input : List.of(f1, f2)) {
                    runs.add(pool.submit(() -> CliRun.of("run", "cholesky", "--input", input.toString(), "--block", "16",
                            "--store", "file:" + store, "--no-progress")));
                }
            }
            for (java.util.concurrent.Future<CliRun> f : runs) {
                CliRun r = f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.exit()).as("a run's own residual check: %s", r.err()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        try (java.util.stream.Stream<Path> files = Files.walk(store)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> store.relativize(p).toString()))
                    .as("no run's input is left in the store").noneMatch(p -> p.startsWith("numpywren/data/"));
        }
    }
}

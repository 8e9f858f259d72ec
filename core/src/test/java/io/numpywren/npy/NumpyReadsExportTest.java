package io.numpywren.npy;

import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.DType;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** numpy itself loads what we export. Skipped where Debian's python3-numpy is not installed. */
class NumpyReadsExportTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String CHECK = String.join("\n",
            "import sys, numpy as np",
            "path, descr, fortran = sys.argv[1], sys.argv[2], sys.argv[3] == 'true'",
            "a = np.load(path, allow_pickle=False)",
            "i, j = np.indices(a.shape)",
            "expected = (i * 1000 + j + 0.25).astype(a.dtype)",
            "assert a.shape == (37, 23), a.shape",
            "assert a.dtype.str == descr, a.dtype.str",
            "assert bool(a.flags.f_contiguous) == fortran and bool(a.flags.c_contiguous) != fortran",
            "assert np.array_equal(a, expected)",
            "print('ok')");

    @TempDir
    Path dir;

    @BeforeAll
    static void requireNumpy() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "no " + PYTHON);
        assumeTrue(run(List.of(PYTHON.toString(), "-c", "import numpy")).exitCode == 0, "no numpy for " + PYTHON);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"FLOAT64, C, <f8", "FLOAT64, FORTRAN, <f8", "FLOAT32, C, <f4", "FLOAT32, FORTRAN, <f4"})
    void numpyLoadsOurExport(DType dtype, NpyExport.Order order, String descr) throws Exception {
        BlockMatrix m = BlockMatrices.generate(
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "a").shape(37, 23).blockShape(10, 7),
                (i, j, rows, cols) -> NpyTestFiles.formula(i, j));
        Path file = dir.resolve("ours.npy");
        NpyExport.exportFile(m, file, new NpyExport.Options(dtype, order));

        Result result = run(List.of(PYTHON.toString(), "-c", CHECK, file.toString(), descr,
                String.valueOf(order == NpyExport.Order.FORTRAN)));

        assertThat(result.output).isEqualTo("ok\n");
        assertThat(result.exitCode).isZero();
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("python did not finish: " + command);
        }
        return new Result(process.exitValue(), output);
    }
}

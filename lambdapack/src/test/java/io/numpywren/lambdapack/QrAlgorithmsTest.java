package io.numpywren.lambdapack;

import io.numpywren.kernel.BandStorage;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.Kernels;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TSQR, CAQR and the block-bidiagonal reduction: their DAGs validated, their results checked. */
class QrAlgorithmsTest {
    private static final double EPS = Math.ulp(1.0);
    private final LinearAlgebra la = LinearAlgebraProviders.configured();

    private static Block multiply(Block a, Block b) {
        Block c = Block.zeros(a.rows(), b.cols());
        LinearAlgebraProviders.configured().dgemm(false, false, a.rows(), b.cols(), a.cols(), 1.0, a.data(), 0, a.rows(),
                b.data(), 0, b.rows(), 0.0, c.data(), 0, c.rows());
        return c;
    }

    private static double[] singularValues(Block a) {
        return Kernels.run("singular_values", List.of(a), KernelArgs.NONE).get(0).data();
    }

    /** ‖AᵀA − RᵀR‖ / ‖A‖²: R is A's triangular factor up to the signs of its rows. */
    private static double gramError(Block a, Block r) {
        Block ata = multiply(a.transpose(), a);
        Block rtr = multiply(r.transpose(), r);
        Block d = ata.copy();
        for (int i = 0; i < d.data().length; i++) {
            d.data()[i] -= rtr.data()[i];
        }
        double norm = a.frobeniusNorm();
        return d.frobeniusNorm() / (norm * norm);
    }

    /** max |σᵢ(X) − σᵢ(A)| / σ_max(A), with A's singular values from one monolithic LAPACK call. */
    private static double singularValueError(double[] actual, Block a) {
        double[] expected = singularValues(a);
        assertThat(actual).hasSameSizeAs(expected);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        return worst / expected[0];
    }

    private static void assertUpperTriangular(Block r) {
        for (int j = 0; j < r.cols(); j++) {
            for (int i = j + 1; i < r.rows(); i++) {
                assertThat(r.get(i, j)).as("R(%d,%d) below the diagonal", i, j).isEqualTo(0.0);
            }
        }
    }

    @Test
    void tsqrsDagIsValidFromOneToTwelveBlocks() {
        BlockStore store = new InMemoryBlockStore();
        for (int n = 1; n <= 12; n++) {
            BlockMatrix a = AlgorithmFixtures.random(store, "A" + n, n, 1, 1, 1);
            BoundProgram p = BuiltinPrograms.tsqr(a, "tsqr" + n).program();
            Validator.Report r = Validator.validate(p);
            assertThat(r.tasks()).as("N=%d", n).isEqualTo(n + (n - 1) + AlgorithmFixtures.treeCarries(n));
            int levels = n == 1 ? 0 : 32 - Integer.numberOfLeadingZeros(n - 1);
            assertThat(r.criticalPathLength()).as("N=%d", n).isEqualTo(levels + 1);
        }
    }

    @Test
    void qrsDagIsValidForEveryGridUpToEightByEight() {
        BlockStore store = new InMemoryBlockStore();
        for (int n = 1; n <= 8; n++) {
            for (int m = 1; m <= 8; m++) {
                BlockMatrix a = AlgorithmFixtures.random(store, "A" + n + "_" + m, n, m, 1, 1);
                BoundProgram p = BuiltinPrograms.qr(a, "qr" + n + "_" + m).program();
                Validator.Report r = Validator.validate(p);
                // per panel j: a factor and M − j − 1 updates per leaf and per pair, M − j copies per carry
                long expected = 0;
                for (int j = 0; j < Math.min(n, m); j++) {
                    int rows = n - j;
                    int cols = m - j;
                    expected += (long) (2 * rows - 1) * cols + (long) AlgorithmFixtures.treeCarries(rows) * cols;
                }
                assertThat(r.tasks()).as("%dx%d", n, m).isEqualTo(expected);
            }
        }
    }

    @Test
    void bdfacsDagIsValidFromOneToTenBlocks() {
        BlockStore store = new InMemoryBlockStore();
        for (int n = 1; n <= 10; n++) {
            BlockMatrix a = AlgorithmFixtures.random(store, "A" + n, n, n, 1, 1);
            Validator.Report r = Validator.validate(BuiltinPrograms.bdfac(a, "bdfac" + n).program());
            assertThat(r.tasks()).as("N=%d", n).isPositive();
        }
    }

    @ParameterizedTest(name = "tsqr {0}x{1}, block rows {2}")
    @CsvSource({"1,1,1", "5,5,5", "37,20,8", "100,30,16", "64,8,8", "21,9,4", "50,3,7"})
    void tsqrFindsTheTriangularFactor(int m, int n, int blockRows) {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", m, n, blockRows, n);
        BuiltinPrograms.Job job = BuiltinPrograms.tsqr(a, "job");
        ReferenceExecutor.Report report = ReferenceExecutor.run(job.program(), la);
        assertThat(report.tasks()).isEqualTo(job.program().analyser().taskCount());
        Block r = BlockMatrices.toDense(job.output("R"));
        Block dense = BlockMatrices.toDense(a);
        assertThat(r.rows()).isEqualTo(n);
        assertThat(r.cols()).isEqualTo(n);
        assertUpperTriangular(r);
        assertThat(gramError(dense, r)).as("‖AᵀA − RᵀR‖/‖A‖²").isLessThan(20 * m * EPS);
        assertThat(singularValueError(singularValues(r), dense)).isLessThan(20 * m * EPS);
    }

    @ParameterizedTest(name = "qr {0}x{1}, block {2}")
    @CsvSource({"1,1,1", "24,24,8", "37,20,8", "100,30,16", "10,20,4", "20,37,8", "33,33,8", "45,12,3"})
    void qrFindsTheTriangularFactor(int m, int n, int block) {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", m, n, block, block);
        BuiltinPrograms.Job job = BuiltinPrograms.qr(a, "job");
        ReferenceExecutor.Report report = ReferenceExecutor.run(job.program(), la);
        assertThat(report.tasks()).isEqualTo(job.program().analyser().taskCount());
        BlockMatrix rm = job.output("R");
        assertThat(rm.rows()).isEqualTo(Math.min(m, n));
        assertThat(rm.cols()).isEqualTo(n);
        for (int i = 0; i < rm.gridRows(); i++) {
            for (int j = 0; j < i; j++) {
                assertThat(rm.store().exists(rm.key(i, j))).as("R block (%d,%d) below the diagonal is not stored", i, j).isFalse();
            }
        }
        Block r = BlockMatrices.toDense(rm);
        Block dense = BlockMatrices.toDense(a);
        assertUpperTriangular(r);
        int size = Math.max(m, n);
        assertThat(gramError(dense, r)).as("‖AᵀA − RᵀR‖/‖A‖²").isLessThan(20 * size * EPS);
        assertThat(singularValueError(singularValues(r), dense)).isLessThan(20 * size * EPS);
    }

    @ParameterizedTest(name = "bdfac {0}x{0}, block {1}")
    @CsvSource({"1,1", "8,8", "24,8", "37,8", "64,16", "45,4", "20,3"})
    void bdfacPreservesTheSingularValues(int n, int block) {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", n, n, block, block);
        BuiltinPrograms.Job job = BuiltinPrograms.bdfac(a, "job");
        ReferenceExecutor.Report report = ReferenceExecutor.run(job.program(), la);
        assertThat(report.tasks()).isEqualTo(job.program().analyser().taskCount());
        BlockMatrix b = job.output("B");
        for (int i = 0; i < b.gridRows(); i++) {
            for (int j = 0; j < b.gridCols(); j++) {
                assertThat(b.store().exists(b.key(i, j))).as("B block (%d,%d) is stored", i, j).isEqualTo(j == i || j == i + 1);
            }
        }
        // bandStorage rejects any non-zero outside the upper band of `block` superdiagonals
        Block band = BuiltinPrograms.bandStorage(b);
        assertThat(band.rows()).isEqualTo(block + 1);
        assertThat(band.cols()).isEqualTo(n);
        Block dense = BlockMatrices.toDense(a);
        assertThat(BandStorage.toDense(band).frobeniusNorm()).as("‖B‖ = ‖A‖")
                .isCloseTo(dense.frobeniusNorm(), org.assertj.core.data.Offset.offset(20 * n * EPS * dense.frobeniusNorm()));
        double[] sigma = Kernels.run("band_singular_values", List.of(band), KernelArgs.NONE).get(0).data();
        assertThat(singularValueError(sigma, dense)).isLessThan(50 * n * EPS);
    }

    @Test
    void bandStorageIsAssembledFromTheDiagonalAndSuperdiagonalBlocksOnly() {
        BlockStore store = new InMemoryBlockStore();
        Block dense = Block.zeros(7, 7);
        for (int i = 0; i < 7; i++) {
            for (int j = i; j <= Math.min(6, i + 3); j++) {
                dense.set(i, j, 1 + i + 10 * j);
            }
        }
        BlockMatrix b = BlockMatrix.builder(store, "in", "B").shape(7, 7).blockSize(3).create();
        for (int bi = 0; bi < 3; bi++) {
            for (int bj = bi; bj <= Math.min(2, bi + 1); bj++) {
                b.write(dense.slice(3 * bi, 3 * bj, b.blockRowsAt(bi), b.blockColsAt(bj)), bi, bj);
            }
        }
        assertThat(BuiltinPrograms.bandStorage(b)).isEqualTo(BandStorage.fromDense(dense, 3));

        store.replace(b.key(0, 0), io.numpywren.codec.BlockCodec.encode(
                Block.ofRows(new double[] {1, 0, 0}, new double[] {0, 1, 0}, new double[] {0, 5, 1})));
        assertThatThrownBy(() -> BuiltinPrograms.bandStorage(b)).hasMessageContaining("entry (2,1) = 5.0")
                .hasMessageContaining("outside the upper band");
    }

    @Test
    void inputsOfTheWrongShapeAreRejectedBeforeAnythingIsAllocated() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix twoColumns = AlgorithmFixtures.random(store, "A", 20, 8, 4, 4);
        assertThatThrownBy(() -> BuiltinPrograms.tsqr(twoColumns, "job")).hasMessageContaining("one block column")
                .hasMessageContaining("2 block columns");
        BlockMatrix wide = AlgorithmFixtures.random(store, "W", 5, 8, 5, 8);
        assertThatThrownBy(() -> BuiltinPrograms.tsqr(wide, "job")).hasMessageContaining("at least as many rows as columns");
        BlockMatrix rectangularBlocks = AlgorithmFixtures.random(store, "R", 20, 8, 4, 2);
        assertThatThrownBy(() -> BuiltinPrograms.qr(rectangularBlocks, "job")).hasMessageContaining("square blocks");
        assertThatThrownBy(() -> BuiltinPrograms.bdfac(twoColumns, "job")).hasMessageContaining("square matrix")
                .hasMessageContaining("N == M");
        assertThat(store.list("job/")).isEmpty();
    }

    @Test
    void theNewProgramsAreBuiltIns() {
        assertThat(BuiltinPrograms.NAMES).contains("tsqr", "qr", "bdfac");
        for (String name : List.of("tsqr", "qr", "bdfac")) {
            assertThat(Program.builtin(name).name()).isEqualTo(name);
        }
    }
}

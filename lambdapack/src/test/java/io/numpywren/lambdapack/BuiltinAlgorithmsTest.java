package io.numpywren.lambdapack;

import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each built-in algorithm: its DAG validated, and its result checked against the mathematics. */
class BuiltinAlgorithmsTest {
    private static final double EPS = Math.ulp(1.0);
    private final LinearAlgebra la = LinearAlgebraProviders.configured();

    private static Block multiply(Block a, Block b) {
        Block c = Block.zeros(a.rows(), b.cols());
        LinearAlgebraProviders.configured().dgemm(false, false, a.rows(), b.cols(), a.cols(), 1.0, a.data(), 0, a.rows(),
                b.data(), 0, b.rows(), 0.0, c.data(), 0, c.rows());
        return c;
    }

    private static double relativeDifference(Block x, Block y) {
        Block d = x.copy();
        for (int i = 0; i < d.data().length; i++) {
            d.data()[i] -= y.data()[i];
        }
        return d.frobeniusNorm() / y.frobeniusNorm();
    }

    @Test
    void choleskysDagIsValidFromOneToTwelveBlocks() {
        for (int n = 1; n <= 12; n++) {
            Validator.Report r = Validator.validate(AlgorithmFixtures.cholesky(n).program());
            assertThat(r.tasks()).isEqualTo(AlgorithmFixtures.cholesky(n).program().analyser().taskCount());
            assertThat(r.criticalPathLength()).as("N=%d", n).isEqualTo(n == 1 ? 1 : 3 * n - 2);
        }
    }

    @Test
    void gemmsDagsAreValidForEveryShapeUpToTwelveBlocks() {
        BlockStore store = new InMemoryBlockStore();
        for (int k = 1; k <= 12; k++) {
            for (int m : new int[] {1, 2, 5}) {
                BlockMatrix a = AlgorithmFixtures.random(store, "A" + m + "_" + k, m, k, 1, 1);
                BlockMatrix b = AlgorithmFixtures.random(store, "B" + m + "_" + k, k, 3, 1, 1);
                long products = (long) m * k * 3;
                for (int g : java.util.stream.IntStream.of(1, 2, 3, k).distinct().toArray()) {
                    int groups = (k + g - 1) / g;
                    Validator.Report chain = Validator.validate(
                            BuiltinPrograms.gemm(a, b, "gemm" + m + "_" + k + "_" + g, g).program());
                    assertThat(chain.tasks()).as("chain M=%d K=%d G=%d", m, k, g).isEqualTo((long) m * 3 * groups);
                    assertThat(chain.inputBlocksRead()).as("chain M=%d K=%d G=%d", m, k, g).isEqualTo((long) (m + 3) * k);
                    assertThat(chain.edges()).as("chain M=%d K=%d G=%d", m, k, g).isEqualTo((long) m * 3 * (groups - 1));
                    assertThat(chain.criticalPathLength()).as("chain M=%d K=%d G=%d", m, k, g).isEqualTo(groups);
                }
                Validator.Report tree = Validator.validate(BuiltinPrograms.gemmTree(a, b, "tree" + m + "_" + k).program());
                assertThat(tree.tasks()).as("tree M=%d K=%d", m, k).isEqualTo(k == 1 ? products
                        : products + (long) m * 3 * (k - 1) + (long) m * 3 * AlgorithmFixtures.treeCarries(k));
            }
        }
    }

    @Test
    void gemmTakesTheTreeOnlyWhenThereAreFewerOutputBlocksThanWorkers() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", 2, 8, 1, 1);
        BlockMatrix b = AlgorithmFixtures.random(store, "B", 8, 2, 1, 1);
        assertThat(BuiltinPrograms.plannedGemm(a, b, "few", 4, 1L << 30).program().program().name()).isEqualTo("gemm");
        assertThat(BuiltinPrograms.plannedGemm(a, b, "many", 64, 1L << 30).program().program().name()).isEqualTo("gemm_tree");
    }

    @Test
    void aGemmTaskSumsAsManyProductsAsMemoryAndBalanceAllow() {
        long mib = 1L << 20;
        // 16 output blocks of 32 MiB on 2 workers with 2 GiB each: whole sums of K = 4 products.
        assertThat(BuiltinPrograms.productsPerTask(16, 4, 2, 64 * mib, 32 * mib, 2048 * mib)).isEqualTo(4);
        // Half of 512 MiB holds the accumulator, the output and 2 products of 64 MiB, not 3.
        assertThat(BuiltinPrograms.productsPerTask(16, 4, 2, 64 * mib, 32 * mib, 512 * mib)).isEqualTo(2);
        // Too little memory for even one product still gives one product per task.
        assertThat(BuiltinPrograms.productsPerTask(16, 4, 2, 64 * mib, 32 * mib, 64 * mib)).isEqualTo(1);
        // 3 output blocks on 2 workers: whole sums would leave a worker idle for a third of the job,
        // halves (6 tasks) keep both busy; with K = 3 only single products balance.
        assertThat(BuiltinPrograms.productsPerTask(3, 8, 2, mib, mib, 1L << 40)).isEqualTo(4);
        assertThat(BuiltinPrograms.productsPerTask(3, 3, 2, mib, mib, 1L << 40)).isEqualTo(1);
        // 1500 output blocks on 1000 workers: two rounds of 4 products balance, one of 8 does not.
        assertThat(BuiltinPrograms.productsPerTask(1500, 8, 1000, mib, mib, 1L << 40)).isEqualTo(4);
    }

    @Test
    void plannedGemmSumsWholeRowsWhenTheWorkersHaveRoom() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", 4, 6, 1, 1);
        BlockMatrix b = AlgorithmFixtures.random(store, "B", 6, 4, 1, 1);
        BuiltinPrograms.Job job = BuiltinPrograms.plannedGemm(a, b, "planned", 2, 1L << 30);
        assertThat(job.program().analyser().taskCount()).isEqualTo(16);
        ReferenceExecutor.run(job.program(), la);
        assertThat(relativeDifference(BlockMatrices.toDense(job.output("C")),
                multiply(BlockMatrices.toDense(a), BlockMatrices.toDense(b)))).isLessThan(60 * EPS);
    }

    @Test
    void gemmRejectsFewerThanOneProductPerTask() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", 2, 2, 1, 1);
        assertThatThrownBy(() -> BuiltinPrograms.gemm(a, a, "job", 0))
                .hasMessageContaining("at least one product per task, got 0");
    }

    @Test
    void triangularSolvesHaveValidDagsUpToTwelveBlocks() {
        BlockStore store = new InMemoryBlockStore();
        for (int n = 1; n <= 12; n++) {
            BlockMatrix l = AlgorithmFixtures.spd(store, "L" + n, n, 1);
            BlockMatrix b = AlgorithmFixtures.random(store, "B" + n, n, 2, 1, 1);
            Validator.validate(BuiltinPrograms.trsmForward(l, b, "f" + n).program());
            Validator.validate(BuiltinPrograms.trsmBackward(l, b, "b" + n).program());
        }
    }

    @ParameterizedTest(name = "cholesky n={0} block={1}")
    @CsvSource({"1,1", "8,8", "37,8", "64,16", "100,33"})
    void choleskyReproducesItsInput(int n, int block) {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.spd(store, "A", n, block);
        BuiltinPrograms.Job job = BuiltinPrograms.cholesky(a, "job");
        ReferenceExecutor.Report report = ReferenceExecutor.run(job.program(), la);
        Block l = BlockMatrices.toDense(job.output("L"));
        Block dense = BlockMatrices.toDense(a);
        assertThat(report.tasks()).isEqualTo(job.program().analyser().taskCount());
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                assertThat(l.get(i, j)).as("L is lower triangular").isEqualTo(0.0);
            }
        }
        assertThat(relativeDifference(multiply(l, l.transpose()), dense)).isLessThan(10 * n * EPS);
    }

    @ParameterizedTest(name = "gemm {0}x{1} times {1}x{2}, blocks {3}")
    @CsvSource({"1,1,1,1", "20,20,20,20", "30,45,17,8", "16,100,9,7", "40,64,40,8"})
    void gemmMultiplies(int m, int k, int n, int block) {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", m, k, block, block);
        BlockMatrix b = AlgorithmFixtures.random(store, "B", k, n, block, block);
        Block expected = multiply(BlockMatrices.toDense(a), BlockMatrices.toDense(b));
        int kBlocks = (k + block - 1) / block;
        for (BuiltinPrograms.Job job : List.of(BuiltinPrograms.gemm(a, b, "chain"), BuiltinPrograms.gemm(a, b, "pairs", 2),
                BuiltinPrograms.gemm(a, b, "whole", kBlocks), BuiltinPrograms.gemmTree(a, b, "tree"))) {
            ReferenceExecutor.run(job.program(), la);
            assertThat(relativeDifference(BlockMatrices.toDense(job.output("C")), expected))
                    .as(job.program().program().name() + " " + job.output("C").namespace())
                    .isLessThan(10 * k * EPS);
        }
    }

    @ParameterizedTest(name = "triangular solves n={0} rhs={1} block={2}")
    @CsvSource({"1,1,1", "24,5,8", "37,11,8", "50,50,16"})
    void triangularSolvesSolve(int n, int rhs, int block) {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.spd(store, "A", n, block);
        BuiltinPrograms.Job chol = BuiltinPrograms.cholesky(a, "chol");
        ReferenceExecutor.run(chol.program(), la);
        BlockMatrix l = chol.output("L");
        BlockMatrix b = AlgorithmFixtures.random(store, "B", n, rhs, block, block);

        BuiltinPrograms.Job forward = BuiltinPrograms.trsmForward(l, b, "fwd");
        ReferenceExecutor.run(forward.program(), la);
        Block lDense = BlockMatrices.toDense(l);
        Block y = BlockMatrices.toDense(forward.output("X"));
        Block bDense = BlockMatrices.toDense(b);
        assertThat(relativeDifference(multiply(lDense, y), bDense)).as("‖L·Y − B‖/‖B‖").isLessThan(10 * n * EPS);

        BuiltinPrograms.Job backward = BuiltinPrograms.trsmBackward(l, forward.output("X"), "bwd");
        ReferenceExecutor.run(backward.program(), la);
        Block x = BlockMatrices.toDense(backward.output("X"));
        assertThat(relativeDifference(multiply(lDense.transpose(), x), y)).as("‖Lᵀ·X − Y‖/‖Y‖").isLessThan(10 * n * EPS);
        Block ax = multiply(BlockMatrices.toDense(a), x);
        assertThat(relativeDifference(ax, bDense)).as("‖A·X − B‖/‖B‖").isLessThan(100 * n * EPS);
    }

    @Test
    void aNonPositiveDefiniteInputFailsNamingTheTaskAndTheKernel() {
        BlockStore store = new InMemoryBlockStore();
        Block dense = Block.identity(12, 12);
        dense.set(7, 7, -1.0);
        BlockMatrix a = BlockMatrices.fromDense(dense, BlockMatrix.builder(store, "in", "A").blockSize(4));
        BuiltinPrograms.Job job = BuiltinPrograms.cholesky(a, "job");
        assertThatThrownBy(() -> ReferenceExecutor.run(job.program(), la))
                .hasMessageContaining("not positive definite")
                .hasMessageContaining("O[i,i] = chol(S[i,i,i]) at i=1");
    }

    @Test
    void inputsOfTheWrongShapeAreRejectedBeforeAnythingIsAllocated() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", 10, 8, 4, 4);
        assertThatThrownBy(() -> BuiltinPrograms.cholesky(a, "job")).hasMessageContaining("square matrix");
        BlockMatrix b = AlgorithmFixtures.random(store, "B", 9, 3, 4, 4);
        assertThatThrownBy(() -> BuiltinPrograms.gemm(a, b, "job")).hasMessageContaining("A 10x8")
                .hasMessageContaining("B 9x3");
        assertThat(store.list("job/")).isEmpty();
    }
}

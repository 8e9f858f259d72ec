package io.numpywren.lambdapack;

import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AnalyserTest {

    private static Task task(int statement, long... loops) {
        return new Task(statement, loops);
    }

    @Test
    void choleskysFirstFactorFeedsEveryTrsmOfTheFirstColumn() {
        Analyser a = AlgorithmFixtures.cholesky(4).program().analyser();
        assertThat(a.starterList()).containsExactly(task(0));
        assertThat(a.outputBlocks(task(0))).hasToString("[O[0,0]]");
        assertThat(a.children(task(0))).containsExactlyInAnyOrder(task(1, 1), task(1, 2), task(1, 3));
        assertThat(a.parentCount(task(1, 2))).isEqualTo(1);
    }

    @Test
    void aTrailingUpdateWaitsForItsPreviousUpdateAndBothPanelBlocks() {
        Analyser a = AlgorithmFixtures.cholesky(5).program().analyser();
        // S[2,3,2] = syrk(S[1,3,2], O[3,1], O[2,1]) at i=1, j=3, k=2
        Task update = task(6, 1, 3, 2);
        assertThat(a.inputBlocks(update)).hasToString("[S[1,3,2], O[3,1], O[2,1]]");
        assertThat(a.parents(update)).containsExactlyInAnyOrder(task(2, 3, 2), task(5, 1, 3), task(5, 1, 2));
        // its output S[2,3,2] is read by the next step's trsm O[3,2] = trsm(O[2,2], S[2,3,2])
        assertThat(a.children(update)).containsExactly(task(5, 2, 3));
        // O[3,1] is read by the updates (j,k) = (3,2), (3,3) (the symmetric one) and (4,3)
        assertThat(a.readerCount(new BlockId("O", new long[] {3, 1}))).isEqualTo(3);
    }

    @Test
    void aDiagonalUpdateWaitsForThePreviousUpdateAndItsOnePanelBlock() {
        Analyser a = AlgorithmFixtures.cholesky(4).program().analyser();
        // S[2,2,2] = syrk(S[1,2,2], O[2,1]) at i=1, j=2; S[1,2,2] came from the first step's diagonal update
        List<Task> parents = a.parents(task(7, 1, 2));
        assertThat(parents).containsExactlyInAnyOrder(task(3, 2), task(5, 1, 2));
    }

    @Test
    void choleskysTaskCountIsTheClosedForm() {
        for (int n : new int[] {1, 2, 7, 64, 256}) {
            long expected = n + (long) n * (n - 1) / 2 + (long) (n - 1) * n * (n + 1) / 6;
            assertThat(AlgorithmFixtures.cholesky(n).program().analyser().taskCount()).as("N=%d", n).isEqualTo(expected);
        }
    }

    @Test
    void writersAreFoundForWrittenBlocksOnly() {
        Analyser a = AlgorithmFixtures.cholesky(3).program().analyser();
        assertThat(a.writer(new BlockId("O", new long[] {2, 1}))).contains(task(5, 1, 2));
        assertThat(a.writer(new BlockId("O", new long[] {0, 2}))).isEmpty();
        assertThat(a.writer(new BlockId("I", new long[] {0, 0}))).isEmpty();
        assertThat(a.isWritten("I")).isFalse();
        assertThat(a.isWritten("S")).isTrue();
    }

    /**
     * X[i] sums row i of A up to the diagonal; S[i] sums the X below row i and A[i,i]. The last
     * S reads an empty slice, so it is a starter.
     */
    private static final String SLICES = """
            def slices(A: BigMatrix, X: BigMatrix, S: BigMatrix, N: int):
                for i in range(0, N):
                    X[i, 0] = add(A[i, 0:i + 1])
                for i in range(0, N):
                    S[i, 0] = add(X[i + 1:N, 0], A[i, i])
            """;

    private static BoundProgram slices(BlockStore store, int n) {
        BlockMatrix a = AlgorithmFixtures.random(store, "A", n, n, 1, 1);
        BlockMatrix x = BlockMatrix.builder(store, "job", "X").shape(n, 1).blockSize(1).create();
        BlockMatrix s = BlockMatrix.builder(store, "job", "S").shape(n, 1).blockSize(1).create();
        return Program.parse("slices.lp", SLICES).bind(Program.ints("N", n), Map.of("A", a, "X", x, "S", s));
    }

    @Test
    void aSlicedReferenceReadsEveryBlockOfItsRangeAndMakesEachWriterAParent() {
        Analyser a = slices(new InMemoryBlockStore(), 4).analyser();
        assertThat(a.inputBlocks(task(1, 0))).hasToString("[X[1,0], X[2,0], X[3,0], A[0,0]]");
        assertThat(a.inputBlocks(task(0, 2))).hasToString("[A[2,0], A[2,1], A[2,2]]");
        assertThat(a.parents(task(1, 0))).containsExactlyInAnyOrder(task(0, 1), task(0, 2), task(0, 3));
        assertThat(a.children(task(0, 2))).containsExactlyInAnyOrder(task(1, 0), task(1, 1));
        assertThat(a.readerCount(new BlockId("X", new long[] {3, 0}))).isEqualTo(3);
        assertThat(a.readerCount(new BlockId("A", new long[] {2, 2}))).isEqualTo(2);
        assertThat(a.starterList()).containsExactly(task(0, 0), task(0, 1), task(0, 2), task(0, 3), task(1, 3));
    }

    @Test
    void theValidatorNamesATaskWhoseSliceGivesItsKernelTheWrongNumberOfInputs() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix a = AlgorithmFixtures.random(store, "A", 3, 3, 1, 1);
        BlockMatrix x = BlockMatrix.builder(store, "job", "X").shape(3, 1).blockSize(1).create();
        BoundProgram p = Program.parse("bad.lp", """
                def bad(A: BigMatrix, X: BigMatrix, N: int):
                    for i in range(0, N):
                        X[i, 0] = chol(A[i, 0:i + 1])
                """).bind(Program.ints("N", 3), Map.of("A", a, "X", x));
        assertThatThrownBy(() -> Validator.validate(p)).isInstanceOf(LambdaPackException.class)
                .hasMessageContaining("(2 problems)")
                .hasMessageContaining("passes 2 input blocks to chol, which takes 1")
                .hasMessageContaining("passes 3 input blocks to chol, which takes 1");
    }

    @Test
    void slicedProgramsAgreeWithTheirExplicitDagAndCompute() {
        for (int n = 1; n <= 6; n++) {
            Validator.Report r = Validator.validate(slices(new InMemoryBlockStore(), n));
            assertThat(r.tasks()).as("N=%d", n).isEqualTo(2L * n);
            assertThat(r.edges()).as("N=%d", n).isEqualTo((long) n * (n - 1) / 2);
        }
        BlockStore store = new InMemoryBlockStore();
        BoundProgram p = slices(store, 5);
        ReferenceExecutor.run(p, LinearAlgebraProviders.configured());
        Block dense = BlockMatrices.toDense(p.matrix("A"));
        Block sums = BlockMatrices.toDense(p.matrix("S"));
        for (int i = 0; i < 5; i++) {
            double expected = dense.get(i, i);
            for (int r = i + 1; r < 5; r++) {
                for (int c = 0; c <= r; c++) {
                    expected += dense.get(r, c);
                }
            }
            assertThat(sums.get(i, 0)).as("S[%d]", i).isCloseTo(expected, within(1e-12 * 25));
        }
    }
}

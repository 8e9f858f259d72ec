package io.numpywren.lambdapack;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
}

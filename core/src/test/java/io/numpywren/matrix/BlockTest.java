package io.numpywren.matrix;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockTest {

    private static final Block A = Block.ofRows(
            new double[] {1, 2, 3},
            new double[] {4, 5, 6});

    @Test
    void ofRowsStoresValuesColumnMajor() {
        assertThat(A.rows()).isEqualTo(2);
        assertThat(A.cols()).isEqualTo(3);
        assertThat(A.data()).containsExactly(1, 4, 2, 5, 3, 6);
        assertThat(A.get(1, 2)).isEqualTo(6);
    }

    @Test
    void ofRowsRejectsRowsOfDifferentLengths() {
        assertThatThrownBy(() -> Block.ofRows(new double[] {1, 2}, new double[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("row 1 has 1 values");
    }

    @Test
    void wrapSharesTheArrayAndChecksItsLength() {
        double[] data = {1, 2, 3, 4, 5, 6};
        Block b = Block.wrap(3, 2, data);

        assertThat(b.data()).isSameAs(data);
        assertThatThrownBy(() -> Block.wrap(2, 2, data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 4 values, got 6");
        assertThatThrownBy(() -> Block.wrap(-1, 2, new double[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1x2");
        assertThatThrownBy(() -> Block.zeros(2, -3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2x-3");
    }

    @Test
    void identityOfANonSquareShapeHasOnesOnlyOnTheMainDiagonal() {
        Block id = Block.identity(2, 3);

        assertThat(id).isEqualTo(Block.ofRows(new double[] {1, 0, 0}, new double[] {0, 1, 0}));
    }

    @Test
    void getAndSetRejectIndicesOutsideTheBlock() {
        Block b = Block.zeros(2, 2);
        b.set(1, 0, 7);

        assertThat(b.get(1, 0)).isEqualTo(7);
        assertThatThrownBy(() -> b.get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("2x2");
        assertThatThrownBy(() -> b.set(0, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void transposeSwapsRowsAndColumns() {
        assertThat(A.transpose()).isEqualTo(Block.ofRows(new double[] {1, 4}, new double[] {2, 5}, new double[] {3, 6}));
        assertThat(A.transpose().transpose()).isEqualTo(A);
    }

    @Test
    void sliceCopiesASubBlockAndPastePutsItBack() {
        Block s = A.slice(0, 1, 2, 2);
        assertThat(s).isEqualTo(Block.ofRows(new double[] {2, 3}, new double[] {5, 6}));

        Block target = Block.zeros(3, 4);
        target.paste(s, 1, 2);
        assertThat(target.get(1, 2)).isEqualTo(2);
        assertThat(target.get(2, 3)).isEqualTo(6);
        assertThat(target.get(0, 0)).isZero();
        assertThat(target.frobeniusNorm()).isEqualTo(s.frobeniusNorm());

        s.set(0, 0, 99);
        assertThat(A.get(0, 1)).isEqualTo(2);
    }

    @Test
    void sliceAndPasteRejectRegionsOutsideTheBlock() {
        assertThatThrownBy(() -> A.slice(1, 0, 2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> A.slice(0, 0, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Block.zeros(2, 2).paste(A, 0, 0))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("does not fit");
    }

    @Test
    void copyIsIndependentOfTheOriginal() {
        Block c = A.copy();
        c.set(0, 0, -1);

        assertThat(A.get(0, 0)).isEqualTo(1);
        assertThat(c).isNotEqualTo(A);
    }

    @Test
    void frobeniusNormNeitherOverflowsNorUnderflows() {
        assertThat(Block.ofRows(new double[] {3, 4}).frobeniusNorm()).isEqualTo(5.0);
        assertThat(Block.ofRows(new double[] {3e200, 4e200}).frobeniusNorm()).isCloseTo(5e200,
                org.assertj.core.data.Percentage.withPercentage(1e-12));
        assertThat(Block.ofRows(new double[] {3e-200, 4e-200}).frobeniusNorm()).isCloseTo(5e-200,
                org.assertj.core.data.Percentage.withPercentage(1e-12));
        assertThat(Block.zeros(3, 3).frobeniusNorm()).isZero();
        assertThat(Block.zeros(0, 0).frobeniusNorm()).isZero();
    }

    @Test
    void frobeniusNormIsInfiniteWhenAnyEntryIsInfiniteAndNaNWhenAnyIsNaN() {
        assertThat(Block.ofRows(new double[] {1, Double.POSITIVE_INFINITY}).frobeniusNorm()).isInfinite();
        assertThat(Block.ofRows(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}).frobeniusNorm())
                .isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Block.ofRows(new double[] {1, Double.NaN, 2}).frobeniusNorm()).isNaN();
        assertThat(Block.ofRows(new double[] {Double.POSITIVE_INFINITY, Double.NaN}).frobeniusNorm()).isNaN();
    }

    @Test
    void firstNonFiniteReportsRowAndColumn() {
        Block b = Block.zeros(3, 4);
        assertThat(b.allFinite()).isTrue();
        assertThat(b.firstNonFinite()).isNull();

        b.set(2, 1, Double.NaN);
        b.set(0, 3, Double.POSITIVE_INFINITY);

        assertThat(b.allFinite()).isFalse();
        assertThat(b.firstNonFinite()).containsExactly(2, 1);
    }

    @Test
    void firstNonFiniteFindsAnEntryInEveryPosition() {
        // The scan sums four interleaved lanes and then a tail; an entry anywhere must be found.
        for (int n = 1; n <= 11; n++) {
            for (int at = 0; at < n; at++) {
                for (double bad : new double[] {Double.NaN, Double.NEGATIVE_INFINITY}) {
                    Block b = Block.zeros(n, 1);
                    b.set(at, 0, bad);
                    assertThat(b.firstNonFinite()).as("n=%d at=%d %s", n, at, bad).containsExactly(at, 0);
                }
            }
        }
    }

    @Test
    void equalBlocksHaveEqualHashCodesAndShapeMatters() {
        Block same = Block.wrap(2, 3, A.data().clone());
        Block reshaped = Block.wrap(3, 2, A.data().clone());

        assertThat(same).isEqualTo(A).hasSameHashCodeAs(A);
        assertThat(reshaped).isNotEqualTo(A);
        assertThat(A.toString()).contains("2x3");
        assertThat(A.size()).isEqualTo(6);
    }
}

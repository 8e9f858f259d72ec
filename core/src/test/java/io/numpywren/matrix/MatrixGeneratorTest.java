package io.numpywren.matrix;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MatrixGeneratorTest {
    private final BlockStore store = new InMemoryBlockStore();

    private Block generated(MatrixGenerator g, String name, long rows, long cols, int br, int bc) {
        BlockMatrix m = BlockMatrices.generate(
                BlockMatrix.builder(store, "gen", name).shape(rows, cols).blockShape(br, bc), g);
        return BlockMatrices.toDense(m);
    }

    @Test
    void randomValuesDoNotDependOnTheBlockShape() {
        MatrixGenerator g = MatrixGenerator.random(42);

        Block whole = generated(g, "one", 13, 11, 13, 11);
        Block small = generated(g, "small", 13, 11, 4, 3);
        Block thin = generated(g, "thin", 13, 11, 1, 5);

        assertThat(small.data()).isEqualTo(whole.data());
        assertThat(thin.data()).isEqualTo(whole.data());
    }

    @Test
    void spdValuesDoNotDependOnTheBlockShape() {
        MatrixGenerator g = MatrixGenerator.spd(7);

        Block whole = generated(g, "one", 12, 12, 12, 12);
        Block small = generated(g, "small", 12, 12, 5, 5);
        Block odd = generated(g, "odd", 12, 12, 7, 2);

        assertThat(small.data()).isEqualTo(whole.data());
        assertThat(odd.data()).isEqualTo(whole.data());
    }

    @Test
    void aBlockHoldsTheValuesAtItsOffsetInColumnMajorOrder() {
        MatrixGenerator g = MatrixGenerator.random(3);

        Block b = g.block(5, 7, 3, 2, 20, 20);

        assertThat(b.rows()).isEqualTo(3);
        assertThat(b.cols()).isEqualTo(2);
        for (int j = 0; j < 2; j++) {
            for (int i = 0; i < 3; i++) {
                assertThat(b.get(i, j)).isEqualTo(g.value(5 + i, 7 + j, 20, 20));
            }
        }
    }

    @Test
    void randomValuesLieInMinusOneToOneAndCoverThatRange() {
        MatrixGenerator g = MatrixGenerator.random(11);
        Block b = g.block(0, 0, 200, 200, 200, 200);

        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        int negatives = 0;
        for (double v : b.data()) {
            assertThat(v).isGreaterThanOrEqualTo(-1.0).isLessThan(1.0);
            min = Math.min(min, v);
            max = Math.max(max, v);
            if (v < 0) {
                negatives++;
            }
        }
        assertThat(min).isLessThan(-0.99);
        assertThat(max).isGreaterThan(0.99);
        assertThat(negatives).isBetween(18_000, 22_000);
    }

    @Test
    void randomValuesAreReproducibleForOneSeedAndDifferAcrossSeeds() {
        Block a = MatrixGenerator.random(1).block(0, 0, 50, 50, 50, 50);
        Block again = MatrixGenerator.random(1).block(0, 0, 50, 50, 50, 50);
        Block b = MatrixGenerator.random(2).block(0, 0, 50, 50, 50, 50);

        assertThat(again).isEqualTo(a);
        int same = 0;
        for (int k = 0; k < a.data().length; k++) {
            if (a.data()[k] == b.data()[k]) {
                same++;
            }
        }
        assertThat(same).isZero();
    }

    @Test
    void randomMatricesAreNotSymmetric() {
        MatrixGenerator g = MatrixGenerator.random(5);

        assertThat(g.value(1, 2, 10, 10)).isNotEqualTo(g.value(2, 1, 10, 10));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 50})
    void spdIsSymmetricAndStrictlyDiagonallyDominant(int n) {
        Block a = MatrixGenerator.spd(99).block(0, 0, n, n, n, n);

        for (int i = 0; i < n; i++) {
            double offDiagonal = 0;
            for (int j = 0; j < n; j++) {
                assertThat(a.get(i, j)).as("a[%d,%d] vs a[%d,%d]", i, j, j, i).isEqualTo(a.get(j, i));
                if (j != i) {
                    offDiagonal += Math.abs(a.get(i, j));
                    assertThat(a.get(i, j)).isGreaterThanOrEqualTo(-1.0).isLessThan(1.0);
                }
            }
            assertThat(a.get(i, i)).isEqualTo(n);
            assertThat(a.get(i, i)).as("row %d", i).isGreaterThan(offDiagonal);
        }
    }

    @Test
    void spdDiffersAcrossSeeds() {
        assertThat(MatrixGenerator.spd(1).block(0, 0, 5, 5, 5, 5))
                .isNotEqualTo(MatrixGenerator.spd(2).block(0, 0, 5, 5, 5, 5));
    }

    @Test
    void aNonSquareSpdMatrixIsRejected() {
        assertThatThrownBy(() -> MatrixGenerator.spd(1).value(0, 0, 3, 4))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("square").hasMessageContaining("3x4");
        assertThatThrownBy(() -> BlockMatrices.generate(
                BlockMatrix.builder(store, "gen", "bad").shape(3, 4).blockSize(2), MatrixGenerator.spd(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("square");
    }

    @Test
    void identityHasOnesOnTheDiagonalEvenAcrossRaggedBlocks() {
        Block id = generated(MatrixGenerator.identity(), "I", 7, 5, 3, 2);

        assertThat(id).isEqualTo(Block.identity(7, 5));
    }

    @Test
    void zerosIsAllZeroInEveryBlock() {
        MatrixGenerator z = MatrixGenerator.zeros();

        assertThat(generated(z, "Z", 5, 6, 2, 4)).isEqualTo(Block.zeros(5, 6));
        assertThat(z.block(3, 3, 2, 2, 10, 10)).isEqualTo(Block.zeros(2, 2));
        assertThat(z.value(1, 1, 3, 3)).isZero();
    }

    @Test
    void generateWritesEveryBlockOfTheGrid() {
        BlockMatrix m = BlockMatrices.generate(
                BlockMatrix.builder(store, "gen", "R").shape(10, 7).blockShape(4, 3), MatrixGenerator.random(1));

        assertThat(store.list(m.prefix())).hasSize(9 + 1);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(m.exists(i, j)).isTrue();
            }
        }
    }
}

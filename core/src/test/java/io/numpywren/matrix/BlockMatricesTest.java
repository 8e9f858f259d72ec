package io.numpywren.matrix;

import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockMatricesTest {
    @TempDir
    Path tmp;

    private static Block dense(int rows, int cols) {
        return MatrixGenerator.random(rows * 31L + cols).block(0, 0, rows, cols, rows, cols);
    }

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void fromDenseThenToDenseRoundTripsExactlyWithRaggedBlocks(TestStores kind) {
        BlockStore store = kind.open(tmp);
        Block original = dense(10, 7);

        BlockMatrix m = BlockMatrices.fromDense(original, BlockMatrix.builder(store, "ns", "A").blockShape(4, 3));

        assertThat(m.rows()).isEqualTo(10);
        assertThat(m.cols()).isEqualTo(7);
        assertThat(store.list(m.prefix())).hasSize(9 + 1);
        assertThat(m.read(2, 2)).isEqualTo(original.slice(8, 6, 2, 1));
        assertThat(BlockMatrices.toDense(m)).isEqualTo(original);
        assertThat(BlockMatrices.toDense(BlockMatrix.open(store, "ns", "A"))).isEqualTo(original);
    }

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void fromDenseThenToDenseRoundTripsForDegenerateShapes(TestStores kind) {
        BlockStore store = kind.open(tmp);
        Block column = dense(9, 1);
        Block row = dense(1, 9);
        Block single = dense(1, 1);

        assertThat(BlockMatrices.toDense(BlockMatrices.fromDense(column,
                BlockMatrix.builder(store, "ns", "col").blockShape(2, 2)))).isEqualTo(column);
        assertThat(BlockMatrices.toDense(BlockMatrices.fromDense(row,
                BlockMatrix.builder(store, "ns", "row").blockShape(1, 4)))).isEqualTo(row);
        assertThat(BlockMatrices.toDense(BlockMatrices.fromDense(single,
                BlockMatrix.builder(store, "ns", "one").blockShape(5, 5)))).isEqualTo(single);
    }

    @Test
    void aFloat32RoundTripYieldsTheFloatRoundedValues() {
        BlockStore store = new InMemoryBlockStore();
        Block original = dense(6, 5);
        double[] rounded = original.data().clone();
        for (int i = 0; i < rounded.length; i++) {
            rounded[i] = (float) rounded[i];
        }

        BlockMatrix m = BlockMatrices.fromDense(original,
                BlockMatrix.builder(store, "ns", "F").blockShape(4, 4).dtype(DType.FLOAT32));

        assertThat(BlockMatrices.toDense(m).data()).isEqualTo(rounded);
    }

    @Test
    void fromDenseOverridesTheShapeGivenToTheBuilder() {
        BlockStore store = new InMemoryBlockStore();
        Block original = dense(3, 4);

        BlockMatrix m = BlockMatrices.fromDense(original,
                BlockMatrix.builder(store, "ns", "A").shape(100, 100).blockSize(2));

        assertThat(m.rows()).isEqualTo(3);
        assertThat(m.cols()).isEqualTo(4);
    }

    @Test
    void toDenseOfAMatrixWithALeadingGridIsRejected() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix s = BlockMatrix.builder(store, "ns", "S").shape(4, 4).blockSize(2).leadingGrid(3).create();

        assertThatThrownBy(() -> BlockMatrices.toDense(s))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'S'").hasMessageContaining("3-D block grid");
    }

    @Test
    void toDenseOfAMatrixWithAMissingBlockNamesTheBlock() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix m = BlockMatrices.fromDense(dense(4, 4), BlockMatrix.builder(store, "ns", "A").blockSize(2));
        m.delete(1, 0);

        assertThatThrownBy(() -> BlockMatrices.toDense(m))
                .isInstanceOf(BlockNotFoundException.class).hasMessageContaining("ns/A/1_0");
    }

    @Test
    void toDenseOfAMatrixTooLargeForOneArrayIsRejected() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix big = BlockMatrix.builder(store, "ns", "big").shape(100_000, 100_000).blockSize(1000).create();
        // 2^40 x 2^40 entries: the entry count 2^80 wraps to 0 in a long.
        BlockMatrix huge = BlockMatrix.builder(store, "ns", "huge").shape(1L << 40, 1L << 40).blockSize(1 << 13)
                .create();

        assertThatThrownBy(() -> BlockMatrices.toDense(big))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> BlockMatrices.toDense(huge))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    }

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void freeingAMatrixLeavesMatricesOfANestedNamespaceAlone(TestStores kind) {
        BlockStore store = kind.open(tmp);
        BlockMatrix outer = BlockMatrices.generate(BlockMatrix.builder(store, "ns", "A").shape(4, 4).blockSize(2),
                MatrixGenerator.identity());
        BlockMatrix nested = BlockMatrices.generate(BlockMatrix.builder(store, "ns/A", "B").shape(4, 4).blockSize(2),
                MatrixGenerator.identity());

        assertThat(outer.free()).isEqualTo(4 + 1);

        assertThat(store.exists(outer.headerKey())).isFalse();
        assertThat(BlockMatrices.toDense(BlockMatrix.open(store, "ns/A", "B"))).isEqualTo(Block.identity(4, 4));
        assertThat(store.list(nested.prefix())).hasSize(4 + 1);
    }

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void aGeneratorThatFailsLeavesNoHalfWrittenMatrixBehind(TestStores kind) {
        BlockStore store = kind.open(tmp);
        assertThatThrownBy(() -> BlockMatrices.generate(BlockMatrix.builder(store, "ns", "S").shape(4, 6).blockSize(2),
                MatrixGenerator.spd(1)))
                .hasMessageContaining("must be square");
        assertThat(store.list("ns/")).isEmpty();
    }

    @Test
    void aBlockStoredWithAnotherDtypeThanItsMatrixIsReportedCorrupt() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix m = BlockMatrices.generate(BlockMatrix.builder(store, "ns", "A").shape(3, 3).blockSize(3),
                MatrixGenerator.identity());
        store.replace(m.key(0, 0), io.numpywren.codec.BlockCodec.encode(Block.identity(3, 3), DType.FLOAT32));

        assertThatThrownBy(() -> m.read(0, 0))
                .isInstanceOf(io.numpywren.codec.CorruptBlockException.class)
                .hasMessageContaining("ns/A/0_0").hasMessageContaining("stored as float32");
    }

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void aLowerTriangularMatrixStoresNothingAboveItsBlockDiagonal(TestStores kind) {
        BlockStore store = kind.open(tmp);
        BlockMatrix l = BlockMatrix.builder(store, "ns", "L").shape(5, 5).blockSize(2)
                .structure(BlockMatrix.Structure.LOWER_TRIANGULAR).create();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j <= i; j++) {
                l.write(MatrixGenerator.random(i * 3 + j).block(0, 0, l.blockRowsAt(i), l.blockColsAt(j), 5, 5), i, j);
            }
        }
        assertThat(store.list(l.prefix())).hasSize(6 + 1);
        assertThat(l.isStructuralZero(0, 2)).isTrue();
        assertThat(l.exists(0, 2)).isTrue();
        assertThat(l.read(0, 2)).isEqualTo(Block.zeros(2, 1));
        assertThatThrownBy(() -> l.write(Block.zeros(2, 2), 0, 1))
                .hasMessageContaining("is zero by the structure of lower-triangular matrix");
        BlockMatrix reopened = BlockMatrix.open(store, "ns", "L");
        assertThat(reopened.structure()).isEqualTo(BlockMatrix.Structure.LOWER_TRIANGULAR);
        Block dense = BlockMatrices.toDense(reopened);
        assertThat(dense.get(0, 4)).isEqualTo(0.0);
        assertThat(dense.get(4, 0)).isEqualTo(l.read(2, 0).get(0, 0));
        assertThatThrownBy(() -> BlockMatrix.builder(store, "ns", "R").shape(5, 4).blockSize(2)
                .structure(BlockMatrix.Structure.LOWER_TRIANGULAR).create())
                .hasMessageContaining("must be square");
    }

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void aMatrixWithAnyBlockShapesHoldsBlocksThatDoNotTileIt(TestStores kind) {
        BlockStore store = kind.open(tmp);
        BlockMatrix v = BlockMatrix.builder(store, "ns", "V").shape(8, 4).blockSize(4).leadingGrid(2)
                .anyBlockShapes().create();
        Block stacked = MatrixGenerator.random(1).block(0, 0, 8, 4, 8, 4);
        v.write(stacked, 1, 0, 0);
        assertThat(BlockMatrix.open(store, "ns", "V").read(1, 0, 0)).isEqualTo(stacked);
        assertThat(BlockMatrix.open(store, "ns", "V").exactBlockShapes()).isFalse();

        BlockMatrix exact = BlockMatrix.builder(store, "ns", "E").shape(8, 4).blockSize(4).create();
        assertThatThrownBy(() -> exact.write(stacked, 0, 0)).hasMessageContaining("must be 4x4, got 8x4");
    }

    @Test
    void upperStructuresStoreOnlyTheirBand() {
        BlockStore store = new InMemoryBlockStore();
        BlockMatrix r = BlockMatrix.builder(store, "ns", "R").shape(5, 9).blockSize(4)
                .structure(BlockMatrix.Structure.UPPER_TRIANGULAR).create();
        assertThat(r.isStructuralZero(1, 0)).isTrue();
        assertThat(r.isStructuralZero(1, 2)).isFalse();
        BlockMatrix b = BlockMatrix.builder(store, "ns", "B").shape(12, 12).blockSize(4)
                .structure(BlockMatrix.Structure.UPPER_BLOCK_BIDIAGONAL).create();
        assertThat(b.isStructuralZero(0, 2)).isTrue();
        assertThat(b.isStructuralZero(0, 1)).isFalse();
        assertThat(b.isStructuralZero(2, 1)).isTrue();
        assertThat(b.read(2, 0)).isEqualTo(Block.zeros(4, 4));
        assertThatThrownBy(() -> BlockMatrix.builder(store, "ns", "X").shape(8, 8).blockShape(4, 2)
                .structure(BlockMatrix.Structure.UPPER_TRIANGULAR).create()).hasMessageContaining("needs square blocks");
    }
}

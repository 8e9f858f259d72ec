package io.numpywren.npy;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.DType;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.numpywren.npy.NpyTestFiles.copyFixture;
import static io.numpywren.npy.NpyTestFiles.formula;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyImportTest {
    private static final List<String> FORMULA_37X23 = List.of(
            "f8_c_formula_37x23.npy", "f8_f_formula_37x23.npy", "f4_c_formula_37x23.npy",
            "f4_f_formula_37x23.npy", "f8be_c_formula_37x23.npy", "f4be_f_formula_37x23.npy");
    /** Ragged, 1x1, a single row or column of blocks, exact fit, and blocks larger than the matrix. */
    private static final int[][] BLOCK_SHAPES = {{1, 1}, {8, 5}, {10, 23}, {37, 1}, {16, 16}, {37, 23}, {64, 64}, {5, 100}};

    @TempDir
    Path dir;

    enum StoreKind { MEMORY, FILE_SYSTEM }

    private BlockStore store(StoreKind kind) {
        return kind == StoreKind.MEMORY ? new InMemoryBlockStore() : new FileSystemBlockStore(dir.resolve("store"));
    }

    static Stream<Arguments> formulaFixturesBlockShapesAndStores() {
        List<Arguments> cases = new ArrayList<>();
        for (String fixture : FORMULA_37X23) {
            for (int[] shape : BLOCK_SHAPES) {
                for (StoreKind kind : StoreKind.values()) {
                    cases.add(Arguments.of(fixture, shape[0], shape[1], kind));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} in {1}x{2} blocks, {3}")
    @MethodSource("formulaFixturesBlockShapesAndStores")
    void formulaFixturesImportExactly(String fixture, int blockRows, int blockCols, StoreKind kind) {
        BlockStore store = store(kind);
        BlockMatrix m = NpyImport.importFile(copyFixture(fixture, dir),
                BlockMatrix.builder(store, "ns", "a").blockShape(blockRows, blockCols));

        assertThat(m.rows()).isEqualTo(37);
        assertThat(m.cols()).isEqualTo(23);
        assertThat(m.blockRows()).isEqualTo(blockRows);
        assertThat(m.blockCols()).isEqualTo(blockCols);
        assertFormula(BlockMatrix.open(store, "ns", "a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"f8_c_formula_5x4_v2.npy", "f8_f_formula_5x4_v3.npy"})
    void formatVersions2And3Import(String fixture) {
        BlockMatrix m = NpyImport.importFile(copyFixture(fixture, dir),
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "a").blockShape(2, 3));

        assertThat(m.rows()).isEqualTo(5);
        assertThat(m.cols()).isEqualTo(4);
        assertFormula(m);
    }

    @Test
    void oneDimensionalArrayImportsAsAColumn() {
        BlockMatrix m = NpyImport.importFile(copyFixture("f8_1d_formula_50.npy", dir),
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "v").blockShape(16, 16));

        assertThat(m.rows()).isEqualTo(50);
        assertThat(m.cols()).isEqualTo(1);
        assertFormula(m);
    }

    @Test
    void float32StorageKeepsFloat32FileValuesExactly() {
        BlockMatrix m = NpyImport.importFile(copyFixture("f4_c_random_33x47.npy", dir),
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "a").blockShape(10, 10).dtype(DType.FLOAT32));
        ByteBuffer data = ByteBuffer.wrap(NpyTestFiles.fixtureBytes("f4_c_random_33x47.npy")).order(ByteOrder.LITTLE_ENDIAN);
        data.position(128);
        Block dense = BlockMatrices.toDense(m);

        for (int i = 0; i < 33; i++) {
            for (int j = 0; j < 47; j++) {
                assertThat(dense.get(i, j)).isEqualTo(data.getFloat());
            }
        }
    }

    /** Larger than one block stripe many times over; checks every block of a ragged 10x8 grid. */
    @ParameterizedTest
    @CsvSource({"<f8, false", "<f8, true", ">f4, false", "<f4, true"})
    void streamsAGeneratedFileBlockRowByBlockRow(String descr, boolean fortran) throws IOException {
        int rows = 600;
        int cols = 500;
        NpyHeader header = NpyHeader.of(NpyDType.fromDescr(descr), fortran, rows, cols);
        Path file = dir.resolve("big.npy");
        writeFormulaFile(file, header);
        FileSystemBlockStore store = new FileSystemBlockStore(dir.resolve("store"));

        BlockMatrix m = NpyImport.importFile(file, BlockMatrix.builder(store, "ns", "big").blockSize(64));

        assertThat(m.gridRows()).isEqualTo(10);
        assertThat(m.gridCols()).isEqualTo(8);
        assertThat(store.list("ns/big/")).hasSize(10 * 8 + 1); // the blocks and the header
        assertFormula(m);
    }

    private static void writeFormulaFile(Path file, NpyHeader header) throws IOException {
        long rows = header.rows();
        long cols = header.cols();
        ByteBuffer data = ByteBuffer.allocate((int) header.dataBytes()).order(header.dtype().byteOrder());
        long outer = header.fortranOrder() ? cols : rows;
        long inner = header.fortranOrder() ? rows : cols;
        for (long a = 0; a < outer; a++) {
            for (long b = 0; b < inner; b++) {
                double v = header.fortranOrder() ? formula(b, a) : formula(a, b);
                if (header.dtype().itemSize() == 8) {
                    data.putDouble(v);
                } else {
                    data.putFloat((float) v);
                }
            }
        }
        Files.write(file, concat(header.toBytes(), data.array()));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "rejected_int64.npy       | unsupported dtype '<i8' (signed integer, 8 bytes)",
            "rejected_complex128.npy  | unsupported dtype '<c16' (complex, 16 bytes)",
            "rejected_object.npy      | unsupported dtype '|O' (Python objects, stored pickled)",
            "rejected_structured.npy  | structured dtype [('x', '<f8'), ('y', '<f4')] is not supported",
            "rejected_3d.npy          | a 3-D array of shape (2, 3, 4) is not supported",
            "rejected_0d.npy          | a 0-d (scalar) array is not supported",
            "rejected_truncated.npy   | truncated: shape (6, 5) of '<f8' needs 240 data bytes but only 228 follow"})
    void rejectedFixturesNameTheFileAndTheProblem(String fixture, String problem) {
        Path file = copyFixture(fixture, dir);
        InMemoryBlockStore store = new InMemoryBlockStore();

        assertThatThrownBy(() -> NpyImport.importFile(file, BlockMatrix.builder(store, "ns", "a").blockSize(4)))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(problem)
                .satisfies(e -> assertThat(((NpyFormatException) e).file()).isEqualTo(file));
        assertThat(store.list("")).as("nothing is created for a rejected file").isEmpty();
    }

    @Test
    void aFileCutShortDuringImportLeavesNoMatrixBehind() {
        Path file = copyFixture("f8_c_formula_37x23.npy", dir);
        InMemoryBlockStore store = new InMemoryBlockStore();
        // The header has been checked against the whole file by the time the first block is written.
        BlockStore cutsFileOnFirstBlock = new CutFileOnFirstBlockWrite(store, file, 200);

        assertThatThrownBy(() -> NpyImport.importFile(file,
                BlockMatrix.builder(cutsFileOnFirstBlock, "ns", "a").blockSize(8)))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("truncated: the file now ends at byte 200, before the data at byte 1600");
        assertThat(store.list("")).as("the partly imported matrix is deleted").isEmpty();
    }

    /** Delegates to a store, and truncates a file when the first block (not the header) is stored. */
    private static final class CutFileOnFirstBlockWrite extends ForwardingBlockStore {
        private final Path file;
        private final long size;
        private boolean cut;

        CutFileOnFirstBlockWrite(BlockStore delegate, Path file, long size) {
            super(delegate);
            this.file = file;
            this.size = size;
        }

        @Override
        public void put(String key, ByteBuffer bytes) {
            if (!cut && !key.endsWith("header.json")) {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    channel.truncate(size);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                cut = true;
            }
            super.put(key, bytes);
        }
    }

    @Test
    void aMissingFileIsReportedByName() {
        Path file = dir.resolve("absent.npy");

        assertThatThrownBy(() -> NpyImport.importFile(file, BlockMatrix.builder(new InMemoryBlockStore(), "ns", "a").blockSize(4)))
                .hasMessageContaining(file.toString());
    }

    @Test
    void readHeaderReportsShapeOrderAndType() {
        NpyHeader header = NpyImport.readHeader(copyFixture("f4be_f_formula_37x23.npy", dir));

        assertThat(header.dtype()).isEqualTo(NpyDType.FLOAT32_BIG);
        assertThat(header.fortranOrder()).isTrue();
        assertThat(header.shape()).containsExactly(37, 23);
    }

    static void assertFormula(BlockMatrix m) {
        for (int bi = 0; bi < m.gridRows(); bi++) {
            for (int bj = 0; bj < m.gridCols(); bj++) {
                Block b = m.read(bi, bj);
                for (int i = 0; i < b.rows(); i++) {
                    for (int j = 0; j < b.cols(); j++) {
                        long row = (long) bi * m.blockRows() + i;
                        long col = (long) bj * m.blockCols() + j;
                        if (b.get(i, j) != formula(row, col)) {
                            throw new AssertionError("entry (" + row + "," + col + ") of " + m + " is " + b.get(i, j)
                                    + ", expected " + formula(row, col));
                        }
                    }
                }
            }
        }
    }
}

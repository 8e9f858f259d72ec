package io.numpywren.npy;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.DType;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.numpywren.npy.NpyTestFiles.copyFixture;
import static io.numpywren.npy.NpyTestFiles.fixtureBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyExportTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} in {2}x{3} blocks")
    @CsvSource({
            "f8_c_random_40x30.npy,   FLOAT64, 7, 9,  C",
            "f8_f_random_40x30.npy,   FLOAT64, 7, 9,  FORTRAN",
            "f4_c_random_33x47.npy,   FLOAT32, 10, 4, C",
            "f4_f_random_33x47.npy,   FLOAT32, 10, 4, FORTRAN",
            "f8_c_formula_37x23.npy,  FLOAT64, 1, 1,  C",
            "f8_f_formula_37x23.npy,  FLOAT64, 64, 64, FORTRAN",
            "f4_c_formula_37x23.npy,  FLOAT32, 37, 5, C",
            "f4_f_formula_37x23.npy,  FLOAT32, 3, 23, FORTRAN"})
    void numpyFilesRoundTripByteForByte(String fixture, DType dtype, int blockRows, int blockCols,
                                        NpyExport.Order order) throws IOException {
        FileSystemBlockStore store = new FileSystemBlockStore(dir.resolve("store"));
        BlockMatrix m = NpyImport.importFile(copyFixture(fixture, dir),
                BlockMatrix.builder(store, "ns", "a").blockShape(blockRows, blockCols));
        Path exported = dir.resolve("exported.npy");

        NpyExport.exportFile(m, exported, new NpyExport.Options(dtype, order));

        assertThat(Files.readAllBytes(exported)).isEqualTo(fixtureBytes(fixture));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"FLOAT64, C", "FLOAT64, FORTRAN", "FLOAT32, C", "FLOAT32, FORTRAN"})
    void exportedFilesImportBackToTheSameMatrix(DType dtype, NpyExport.Order order) {
        InMemoryBlockStore store = new InMemoryBlockStore();
        BlockMatrix original = BlockMatrices.generate(
                BlockMatrix.builder(store, "ns", "orig").shape(45, 31).blockShape(8, 6), MatrixGenerator.random(7));
        Path file = dir.resolve("m.npy");

        NpyExport.exportFile(original, file, new NpyExport.Options(dtype, order));
        BlockMatrix back = NpyImport.importFile(file, BlockMatrix.builder(store, "ns", "back").blockShape(5, 11));

        NpyHeader header = NpyImport.readHeader(file);
        assertThat(header.fortranOrder()).isEqualTo(order == NpyExport.Order.FORTRAN);
        assertThat(header.dtype().descr()).isEqualTo(dtype == DType.FLOAT64 ? "<f8" : "<f4");
        Block expected = BlockMatrices.toDense(original);
        if (dtype == DType.FLOAT32) {
            double[] data = expected.data();
            for (int k = 0; k < data.length; k++) {
                data[k] = (float) data[k];
            }
        }
        assertThat(BlockMatrices.toDense(back)).isEqualTo(expected);
    }

    @Test
    void float32ExportRoundsToNearestFloat() throws IOException {
        double[] values = {0.1, 1.0 / 3.0, 16777217.0, 1e39, -1e-46, Math.PI, -0.0, Double.MAX_VALUE};
        Block row = Block.ofRows(values);
        BlockMatrix m = BlockMatrices.fromDense(row, BlockMatrix.builder(new InMemoryBlockStore(), "ns", "r").blockSize(3));
        Path file = dir.resolve("f4.npy");

        NpyExport.exportFile(m, file, NpyExport.Options.defaults().withDtype(DType.FLOAT32));

        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(128 + 4 * values.length);
        ByteBuffer data = ByteBuffer.wrap(bytes, 128, 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        float[] written = new float[values.length];
        for (int k = 0; k < values.length; k++) {
            written[k] = data.getFloat();
        }
        assertThat(written).containsExactly(0.1f, 1.0f / 3.0f, 16777216.0f, Float.POSITIVE_INFINITY, -0.0f,
                (float) Math.PI, -0.0f, Float.POSITIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(written[4])).as("sign of an underflow is kept").isEqualTo(0x80000000);
        assertThat((double) written[0]).isNotEqualTo(0.1);
    }

    @Test
    void headerIsTheOneNumpyWrites() throws IOException {
        BlockMatrix m = BlockMatrices.generate(
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "a").shape(3, 4).blockSize(2), MatrixGenerator.identity());
        Path file = dir.resolve("a.npy");

        NpyExport.exportFile(m, file, NpyExport.Options.defaults().withOrder(NpyExport.Order.FORTRAN));

        String header = new String(Files.readAllBytes(file), 0, 128, StandardCharsets.ISO_8859_1);
        assertThat(header).startsWith("\u0093NUMPY\u0001\u0000v\u0000{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }")
                .endsWith(" \n");
        assertThat(Files.size(file)).isEqualTo(128 + 12 * 8);
    }

    @Test
    void aFailedExportKeepsTheOldFileAndLeavesNoTemporaryFile() throws IOException {
        InMemoryBlockStore store = new InMemoryBlockStore();
        BlockMatrix m = BlockMatrices.generate(
                BlockMatrix.builder(store, "ns", "a").shape(20, 20).blockSize(8), MatrixGenerator.random(1));
        m.delete(1, 2); // a block of the second stripe: export fails after writing part of the file
        Path target = dir.resolve("out.npy");
        Files.writeString(target, "previous contents");

        assertThatThrownBy(() -> NpyExport.exportFile(m, target)).isInstanceOf(BlockNotFoundException.class);

        assertThat(Files.readString(target)).isEqualTo("previous contents");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(target);
        }
    }

    @Test
    void aFailedExportCreatesNoFile() throws IOException {
        InMemoryBlockStore store = new InMemoryBlockStore();
        BlockMatrix m = BlockMatrix.builder(store, "ns", "empty").shape(5, 5).blockSize(2).create(); // no blocks
        Path target = dir.resolve("out.npy");

        assertThatThrownBy(() -> NpyExport.exportFile(m, target)).isInstanceOf(BlockNotFoundException.class);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void onlyTwoDimensionalGridsCanBeExported() {
        BlockMatrix m = BlockMatrix.builder(new InMemoryBlockStore(), "ns", "s").shape(4, 4).blockSize(2)
                .leadingGrid(3).create();

        assertThatThrownBy(() -> NpyExport.exportFile(m, dir.resolve("s.npy")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("matrix 's' has a 3-D block grid; only 2-D matrices can be exported");
        assertThat(dir.resolve("s.npy")).doesNotExist();
    }

    @Test
    void exportReplacesAnExistingFile() throws IOException {
        Path target = dir.resolve("out.npy");
        Files.writeString(target, "previous contents");
        BlockMatrix m = NpyImport.importFile(copyFixture("f8_c_random_40x30.npy", dir),
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "a").blockSize(16));

        NpyExport.exportFile(m, target);

        assertThat(Files.readAllBytes(target)).isEqualTo(fixtureBytes("f8_c_random_40x30.npy"));
    }

    @Test
    void onlyARegularFileIsEverReplaced() throws Exception {
        BlockMatrix m = BlockMatrices.fromDense(Block.identity(4, 4),
                BlockMatrix.builder(new InMemoryBlockStore(), "ns", "I").blockSize(2));
        Path fifo = dir.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        Path subdir = Files.createDirectories(dir.resolve("sub"));
        for (Path target : new Path[] {fifo, subdir, Path.of("/dev/null")}) {
            assertThatThrownBy(() -> NpyExport.exportFile(m, target)).as("%s", target)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("to " + target + ": it is not a regular file");
            assertThat(Files.isRegularFile(target)).as("%s is left as it was", target).isFalse();
            assertThat(Files.exists(target)).isTrue();
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary file is left").containsExactlyInAnyOrder("fifo", "sub");
        }
    }
}

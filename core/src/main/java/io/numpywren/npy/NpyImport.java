package io.numpywren.npy;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Imports a .npy file (float64 or float32, either byte order, C or Fortran order, 1-D or 2-D)
 * into a new {@link BlockMatrix}, streaming one stripe of blocks at a time so that files larger
 * than memory can be imported.
 */
public final class NpyImport {
    /** Bytes per positional read; bounds the read buffer whatever the stripe size. */
    static final int READ_BUFFER_BYTES = 1 << 20;

    private NpyImport() {
    }

    /** Reads and checks only the header of {@code file}. */
    public static NpyHeader readHeader(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return NpyHeader.read(channel, file).header();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read .npy file " + file + ": " + e, e);
        }
    }

    /**
     * Creates the matrix {@code target} describes, with the shape of the file (an n-value 1-D
     * array becomes n x 1) and the builder's block shape, name and storage dtype, and fills it
     * from the file. The whole header is checked before anything is created; if reading fails
     * afterwards, the partly written matrix is deleted again.
     *
     * @throws NpyFormatException when the file is not a .npy file this package supports
     */
    public static BlockMatrix importFile(Path file, BlockMatrix.Builder target) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyFileHeader fileHeader = NpyHeader.read(channel, file);
            NpyHeader header = fileHeader.header();
            BlockMatrix matrix = target.shape(header.rows(), header.cols()).create();
            try {
                copyStripes(channel, file, fileHeader, matrix);
            } catch (RuntimeException | IOException e) {
                deleteQuietly(matrix, e);
                throw e;
            }
            return matrix;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import .npy file " + file + ": " + e, e);
        }
    }

    private static void copyStripes(FileChannel channel, Path file, NpyFileHeader fileHeader, BlockMatrix matrix)
            throws IOException {
        NpyHeader header = fileHeader.header();
        NpyDType dtype = header.dtype();
        StripeLayout layout = new StripeLayout(matrix, header.fortranOrder());
        int bufferBytes = (int) Math.min(READ_BUFFER_BYTES, header.dataBytes());
        NpyValueReader reader = new NpyValueReader(channel, file, dtype, bufferBytes);
        for (int stripe = 0; stripe < layout.stripeCount(); stripe++) {
            reader.startStripe(fileHeader.dataOffset() + layout.firstValue(stripe) * dtype.itemSize(),
                    layout.valueCount(stripe));
            Block[] blocks = layout.newBlocks(stripe);
            layout.fill(blocks, stripe, reader);
            for (int k = 0; k < blocks.length; k++) {
                matrix.write(blocks[k], layout.blockIndex(stripe, k));
            }
        }
    }

    private static void deleteQuietly(BlockMatrix matrix, Exception cause) {
        try {
            matrix.free();
        } catch (RuntimeException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }
}

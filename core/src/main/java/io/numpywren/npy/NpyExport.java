package io.numpywren.npy;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.DType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.UUID;

/**
 * Exports a 2-D {@link BlockMatrix} to a .npy file, one stripe of blocks at a time, with the
 * header numpy 1.24 would write: importing a numpy file and exporting it with the same dtype
 * and order gives the same bytes.
 *
 * <p>The file is written beside the target under a temporary name and renamed over the target
 * only when complete, so a failed export never leaves a partial file at the target path.
 */
public final class NpyExport {
    static final int WRITE_BUFFER_BYTES = 1 << 20;

    private NpyExport() {
    }

    /** Memory order of the exported data. */
    public enum Order {
        /** Row-major, numpy's default. */
        C,
        /** Column-major; the header says {@code 'fortran_order': True}. */
        FORTRAN
    }

    /** What to write: element type (always little-endian) and order. */
    public record Options(DType dtype, Order order) {
        public Options {
            Objects.requireNonNull(dtype, "dtype");
            Objects.requireNonNull(order, "order");
        }

        /** float64 in C order, as {@code np.save} writes a default array. */
        public static Options defaults() {
            return new Options(DType.FLOAT64, Order.C);
        }

        public Options withDtype(DType newDtype) {
            return new Options(newDtype, order);
        }

        public Options withOrder(Order newOrder) {
            return new Options(dtype, newOrder);
        }

        NpyDType npyDType() {
            return dtype == DType.FLOAT32 ? NpyDType.FLOAT32_LITTLE : NpyDType.FLOAT64_LITTLE;
        }
    }

    /** Exports as float64 in C order. */
    public static void exportFile(BlockMatrix matrix, Path file) {
        exportFile(matrix, file, Options.defaults());
    }

    /**
     * Writes {@code matrix} to {@code file}, replacing any file there. float32 export rounds each
     * value to the nearest float.
     */
    public static void exportFile(BlockMatrix matrix, Path file, Options options) {
        Objects.requireNonNull(options, "options");
        if (matrix.gridRank() != 2) {
            throw new IllegalArgumentException("matrix '" + matrix.name() + "' has a " + matrix.gridRank()
                    + "-D block grid; only 2-D matrices can be exported");
        }
        boolean fortran = options.order() == Order.FORTRAN;
        NpyHeader header = NpyHeader.of(options.npyDType(), fortran, matrix.rows(), matrix.cols());
        Path target = file.toAbsolutePath();
        // The temporary file is renamed over the target: only a regular file may be replaced that way
        // (as root, a rename over /dev/null would replace the device itself).
        if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(target)) {
            throw new IllegalArgumentException("cannot export matrix '" + matrix.name() + "' to " + file
                    + ": it is not a regular file" + (Files.isDirectory(target) ? " but a directory" : ""));
        }
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer preamble = ByteBuffer.wrap(header.toBytes());
                while (preamble.hasRemaining()) {
                    channel.write(preamble);
                }
                writeStripes(matrix, new StripeLayout(matrix, fortran),
                        new NpyValueWriter(channel, header.dtype(), WRITE_BUFFER_BYTES));
                // On disk before the rename, so a crash cannot leave the new name on empty data.
                channel.force(false);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new UncheckedIOException("cannot export matrix '" + matrix.name() + "' to " + file
                    + ": the file system cannot rename atomically", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export matrix '" + matrix.name() + "' to " + file + ": " + e, e);
        } finally {
            deleteIfPresent(temp);
        }
    }

    private static void writeStripes(BlockMatrix matrix, StripeLayout layout, NpyValueWriter writer)
            throws IOException {
        for (int stripe = 0; stripe < layout.stripeCount(); stripe++) {
            Block[] blocks = new Block[layout.blocksPerStripe()];
            for (int k = 0; k < blocks.length; k++) {
                blocks[k] = matrix.read(layout.blockIndex(stripe, k));
            }
            layout.drain(blocks, stripe, writer);
        }
        writer.flush();
    }

    /** Removes the temporary file after a failure; after a successful rename it is already gone. */
    private static void deleteIfPresent(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // the export's own outcome is what matters; a stray temporary name is harmless
        }
    }
}

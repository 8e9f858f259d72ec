package io.numpywren.npy;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;

import java.io.IOException;

/**
 * How the blocks of a 2-D matrix tile the data of a .npy file. In C (row-major) order one
 * block row of the grid is a contiguous run of the file, in Fortran (column-major) order one
 * block column is; such a run is a stripe. Import and export move one stripe at a time, so
 * they need memory for one stripe, never for the whole matrix.
 *
 * <p>Within a stripe the file holds lines (matrix rows in C order, columns in Fortran order),
 * and each line crosses every block of the stripe in turn.
 */
final class StripeLayout {
    private final BlockMatrix matrix;
    private final boolean fortranOrder;

    StripeLayout(BlockMatrix matrix, boolean fortranOrder) {
        this.matrix = matrix;
        this.fortranOrder = fortranOrder;
    }

    int stripeCount() {
        return fortranOrder ? matrix.gridCols() : matrix.gridRows();
    }

    int blocksPerStripe() {
        return fortranOrder ? matrix.gridRows() : matrix.gridCols();
    }

    /** The grid index (bi, bj) of block {@code k} of {@code stripe}. */
    int[] blockIndex(int stripe, int k) {
        return fortranOrder ? new int[] {k, stripe} : new int[] {stripe, k};
    }

    /** Index, in file order, of the first value of {@code stripe}. */
    long firstValue(int stripe) {
        return fortranOrder ? (long) stripe * matrix.blockCols() * matrix.rows()
                : (long) stripe * matrix.blockRows() * matrix.cols();
    }

    /** Number of values in {@code stripe}. */
    long valueCount(int stripe) {
        return (long) linesIn(stripe) * (fortranOrder ? matrix.rows() : matrix.cols());
    }

    private int linesIn(int stripe) {
        return fortranOrder ? matrix.blockColsAt(stripe) : matrix.blockRowsAt(stripe);
    }

    /** Values of one line that fall in block {@code k} of a stripe. */
    private int lineLength(int k) {
        return fortranOrder ? matrix.blockRowsAt(k) : matrix.blockColsAt(k);
    }

    /** Empty blocks of the right shapes for {@code stripe}. */
    Block[] newBlocks(int stripe) {
        int lines = linesIn(stripe);
        Block[] blocks = new Block[blocksPerStripe()];
        for (int k = 0; k < blocks.length; k++) {
            blocks[k] = fortranOrder ? Block.zeros(lineLength(k), lines) : Block.zeros(lines, lineLength(k));
        }
        return blocks;
    }

    /** Fills the blocks of {@code stripe} from values read in file order. */
    void fill(Block[] blocks, int stripe, NpyValueReader reader) throws IOException {
        int lines = linesIn(stripe);
        for (int line = 0; line < lines; line++) {
            for (int k = 0; k < blocks.length; k++) {
                double[] data = blocks[k].data();
                int length = lineLength(k);
                int step = step(lines);
                for (int p = 0, index = start(line, length); p < length; p++, index += step) {
                    data[index] = reader.next();
                }
            }
        }
    }

    /** Writes the values of the blocks of {@code stripe} in file order. */
    void drain(Block[] blocks, int stripe, NpyValueWriter writer) throws IOException {
        int lines = linesIn(stripe);
        for (int line = 0; line < lines; line++) {
            for (int k = 0; k < blocks.length; k++) {
                double[] data = blocks[k].data();
                int length = lineLength(k);
                int step = step(lines);
                for (int p = 0, index = start(line, length); p < length; p++, index += step) {
                    writer.put(data[index]);
                }
            }
        }
    }

    /**
     * Where a line starts in a column-major block: a row starts at its row index, a column at
     * column index times the block's rows (which is the line length in Fortran order).
     */
    private int start(int line, int lineLength) {
        return fortranOrder ? line * lineLength : line;
    }

    /** Distance between neighbours along a line: one block column (the stripe's lines) for a row, 1 for a column. */
    private int step(int lines) {
        return fortranOrder ? 1 : lines;
    }
}

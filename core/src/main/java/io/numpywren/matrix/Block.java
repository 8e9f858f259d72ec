package io.numpywren.matrix;

import java.util.Arrays;
import java.util.Objects;

/**
 * One dense 2-D block of doubles in column-major order (leading dimension = rows), the layout
 * BLAS and LAPACK work on without copies.
 *
 * <p>The data array is shared, not copied: kernels and codecs treat a block as immutable once
 * it has been handed to someone else, and create new blocks for their results.
 */
public final class Block {
    private final int rows;
    private final int cols;
    private final double[] data;

    private Block(int rows, int cols, double[] data) {
        this.rows = rows;
        this.cols = cols;
        this.data = data;
    }

    /** Wraps a column-major array (no copy); its length must be exactly rows * cols. */
    public static Block wrap(int rows, int cols, double[] columnMajor) {
        Objects.requireNonNull(columnMajor, "columnMajor");
        checkShape(rows, cols);
        if ((long) rows * cols != columnMajor.length) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " block needs "
                    + ((long) rows * cols) + " values, got " + columnMajor.length);
        }
        return new Block(rows, cols, columnMajor);
    }

    public static Block zeros(int rows, int cols) {
        checkShape(rows, cols);
        return new Block(rows, cols, BlockArrayPool.shared().takeZeroed(Math.multiplyExact(rows, cols)));
    }

    /** The rows x cols matrix with ones on its main diagonal. */
    public static Block identity(int rows, int cols) {
        Block b = zeros(rows, cols);
        for (int i = 0; i < Math.min(rows, cols); i++) {
            b.data[i + i * rows] = 1.0;
        }
        return b;
    }

    /** Builds a block from rows of values, as a person writes a matrix. */
    public static Block ofRows(double[]... rowValues) {
        int r = rowValues.length;
        int c = r == 0 ? 0 : rowValues[0].length;
        Block b = zeros(r, c);
        for (int i = 0; i < r; i++) {
            if (rowValues[i].length != c) {
                throw new IllegalArgumentException("row " + i + " has " + rowValues[i].length
                        + " values, row 0 has " + c);
            }
            for (int j = 0; j < c; j++) {
                b.data[i + j * r] = rowValues[i][j];
            }
        }
        return b;
    }

    private static void checkShape(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("block shape must be non-negative, got " + rows + "x" + cols);
        }
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The backing column-major array (shared, not copied). */
    public double[] data() {
        return data;
    }

    public double get(int i, int j) {
        return data[index(i, j)];
    }

    /** Sets one entry; only for blocks the caller has just created and not yet shared. */
    public void set(int i, int j, double value) {
        data[index(i, j)] = value;
    }

    private int index(int i, int j) {
        if (i < 0 || i >= rows || j < 0 || j >= cols) {
            throw new IndexOutOfBoundsException("(" + i + "," + j + ") outside a " + rows + "x" + cols + " block");
        }
        return i + j * rows;
    }

    public long size() {
        return (long) rows * cols;
    }

    public Block copy() {
        double[] copied = BlockArrayPool.shared().take(data.length);
        System.arraycopy(data, 0, copied, 0, data.length);
        return new Block(rows, cols, copied);
    }

    public Block transpose() {
        // Every value is written below, so a recycled array needs no zeroing.
        Block t = new Block(cols, rows, BlockArrayPool.shared().take(data.length));
        for (int j = 0; j < cols; j++) {
            int base = j * rows;
            for (int i = 0; i < rows; i++) {
                t.data[j + i * cols] = data[base + i];
            }
        }
        return t;
    }

    /** The sub-block of rows [r0, r0+nr) and columns [c0, c0+nc), copied. */
    public Block slice(int r0, int c0, int nr, int nc) {
        if (r0 < 0 || c0 < 0 || nr < 0 || nc < 0 || r0 + nr > rows || c0 + nc > cols) {
            throw new IndexOutOfBoundsException("slice [" + r0 + "+" + nr + ", " + c0 + "+" + nc
                    + ") outside a " + rows + "x" + cols + " block");
        }
        Block s = new Block(nr, nc, BlockArrayPool.shared().take(nr * nc));
        for (int j = 0; j < nc; j++) {
            System.arraycopy(data, r0 + (c0 + j) * rows, s.data, j * nr, nr);
        }
        return s;
    }

    /** Copies {@code source} into this block with its top-left corner at (r0, c0). */
    public void paste(Block source, int r0, int c0) {
        if (r0 < 0 || c0 < 0 || r0 + source.rows > rows || c0 + source.cols > cols) {
            throw new IndexOutOfBoundsException("a " + source.rows + "x" + source.cols + " block at ("
                    + r0 + "," + c0 + ") does not fit in a " + rows + "x" + cols + " block");
        }
        for (int j = 0; j < source.cols; j++) {
            System.arraycopy(source.data, j * source.rows, data, r0 + (c0 + j) * rows, source.rows);
        }
    }

    /** Frobenius norm, computed with scaling so that it neither overflows nor underflows. */
    public double frobeniusNorm() {
        double scale = 0.0;
        double sumsq = 1.0;
        boolean infinite = false;
        for (double v : data) {
            if (Double.isNaN(v)) {
                return Double.NaN;
            }
            if (Double.isInfinite(v)) {
                infinite = true; // scaling by infinity would turn a second infinity into inf/inf = NaN
            } else if (v != 0.0) {
                double a = Math.abs(v);
                if (scale < a) {
                    double r = scale / a;
                    sumsq = 1.0 + sumsq * r * r;
                    scale = a;
                } else {
                    double r = a / scale;
                    sumsq += r * r;
                }
            }
        }
        return infinite ? Double.POSITIVE_INFINITY : scale * Math.sqrt(sumsq);
    }

    /** True when every entry is finite (no NaN, no infinity). */
    public boolean allFinite() {
        return firstNonFinite() == null;
    }

    /** Position of the first non-finite entry as {row, col}, or null when all are finite. */
    public int[] firstNonFinite() {
        if (allFinite(data, 0, data.length)) {
            return null;
        }
        for (int k = 0; k < data.length; k++) {
            if (!Double.isFinite(data[k])) {
                return new int[] {k % Math.max(rows, 1), k / Math.max(rows, 1)};
            }
        }
        return null;
    }

    /** True when {@code data[from, to)} holds no NaN and no infinity. */
    public static boolean allFinite(double[] data, int from, int to) {
        // x * 0 is NaN exactly for NaN and ±Inf, so a sum with no early exit finds them. Four
        // independent sums keep the adds from waiting on each other (3x faster than one).
        double p0 = 0.0;
        double p1 = 0.0;
        double p2 = 0.0;
        double p3 = 0.0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            p0 += data[i] * 0.0;
            p1 += data[i + 1] * 0.0;
            p2 += data[i + 2] * 0.0;
            p3 += data[i + 3] * 0.0;
        }
        for (; i < to; i++) {
            p0 += data[i] * 0.0;
        }
        return p0 + p1 + p2 + p3 == 0.0;
    }

    public String shapeString() {
        return rows + "x" + cols;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Block other && other.rows == rows && other.cols == cols
                && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Block[" + shapeString() + "]";
    }
}

package io.numpywren.lambdapack;

import java.util.Arrays;

/** One block of one matrix of a bound program: the matrix's parameter name and the grid index. */
public final class BlockId {
    private final String matrix;
    private final long[] index;
    private final int hash;

    public BlockId(String matrix, long[] index) {
        this.matrix = matrix;
        this.index = index.clone();
        this.hash = 31 * matrix.hashCode() + Arrays.hashCode(index);
    }

    public String matrix() {
        return matrix;
    }

    public long[] index() {
        return index.clone();
    }

    /** The index as ints, as {@link io.numpywren.matrix.BlockMatrix} takes it. */
    public int[] intIndex() {
        int[] ints = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            ints[i] = Math.toIntExact(index[i]);
        }
        return ints;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockId b && b.hash == hash && b.matrix.equals(matrix) && Arrays.equals(b.index, index);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(matrix).append('[');
        for (int i = 0; i < index.length; i++) {
            if (i > 0) {
                s.append(',');
            }
            s.append(index[i]);
        }
        return s.append(']').toString();
    }
}

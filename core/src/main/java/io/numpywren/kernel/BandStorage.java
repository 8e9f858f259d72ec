package io.numpywren.kernel;

import io.numpywren.matrix.Block;

/**
 * LAPACK band storage of an upper banded square matrix with {@code ku} superdiagonals:
 * a (ku+1) x n block with {@code AB[ku + i - j][j] = A[i][j]} for {@code j - ku <= i <= j}.
 * It holds a block-bidiagonal matrix of order n in (ku+1)·n numbers instead of n².
 */
public final class BandStorage {
    private BandStorage() {
    }

    /** Packs the upper banded square matrix {@code a}; a non-zero outside the band is an error. */
    public static Block fromDense(Block a, int ku) {
        if (a.rows() != a.cols()) {
            throw new IllegalArgumentException("a banded matrix must be square, got " + a.shapeString());
        }
        if (ku < 0) {
            throw new IllegalArgumentException("the number of superdiagonals must be non-negative, got " + ku);
        }
        int n = a.rows();
        Block ab = Block.zeros(ku + 1, n);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double v = a.get(i, j);
                if (i <= j && i >= j - ku) {
                    ab.set(ku + i - j, j, v);
                } else if (v != 0.0) {
                    throw new IllegalArgumentException("entry (" + i + "," + j + ") = " + v + " lies outside the upper band"
                            + " of " + ku + " superdiagonals");
                }
            }
        }
        return ab;
    }

    /** Expands band storage back to a dense square matrix. */
    public static Block toDense(Block ab) {
        int ku = ab.rows() - 1;
        int n = ab.cols();
        Block a = Block.zeros(n, n);
        for (int j = 0; j < n; j++) {
            for (int i = Math.max(0, j - ku); i <= j; i++) {
                a.set(i, j, ab.get(ku + i - j, j));
            }
        }
        return a;
    }
}

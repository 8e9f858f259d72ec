package io.numpywren.cli;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;

import java.util.SplittableRandom;

/**
 * Checks results against the mathematics without assembling a matrix: products with a random
 * vector are streamed block by block, so a check costs O(n²) reads and no O(n²) memory. For a
 * random x, ‖(A − LLᵀ)x‖ / (‖A‖_F ‖x‖) is a faithful estimate of the normwise residual.
 */
final class Residuals {
    private Residuals() {
    }

    static double[] randomVector(long n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[Math.toIntExact(n)];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextDouble(-1, 1);
        }
        return x;
    }

    /** y = M·x, or Mᵀ·x when {@code transpose}, reading one block at a time. */
    static double[] multiply(BlockMatrix m, double[] x, boolean transpose) {
        double[] y = new double[Math.toIntExact(transpose ? m.cols() : m.rows())];
        for (int bi = 0; bi < m.gridRows(); bi++) {
            for (int bj = 0; bj < m.gridCols(); bj++) {
                if (m.isStructuralZero(bi, bj)) {
                    continue;
                }
                Block b = m.read(bi, bj);
                int r0 = bi * m.blockRows();
                int c0 = bj * m.blockCols();
                double[] d = b.data();
                for (int j = 0; j < b.cols(); j++) {
                    for (int i = 0; i < b.rows(); i++) {
                        double v = d[i + j * b.rows()];
                        if (transpose) {
                            y[c0 + j] += v * x[r0 + i];
                        } else {
                            y[r0 + i] += v * x[c0 + j];
                        }
                    }
                }
            }
        }
        return y;
    }

    static double frobenius(BlockMatrix m) {
        double sum = 0;
        for (int bi = 0; bi < m.gridRows(); bi++) {
            for (int bj = 0; bj < m.gridCols(); bj++) {
                if (!m.isStructuralZero(bi, bj)) {
                    double f = m.read(bi, bj).frobeniusNorm();
                    sum += f * f;
                }
            }
        }
        return Math.sqrt(sum);
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** ‖A·x − L·Lᵀ·x‖ / (‖A‖ ‖x‖). */
    static double cholesky(BlockMatrix a, BlockMatrix l) {
        double[] x = randomVector(a.cols(), 1);
        double[] ax = multiply(a, x, false);
        double[] llx = multiply(l, multiply(l, x, true), false);
        return relative(distance(ax, llx), frobenius(a) * norm(x));
    }

    /** ‖C·x − A·(B·x)‖ / (‖A‖ ‖B‖ ‖x‖). */
    static double gemm(BlockMatrix a, BlockMatrix b, BlockMatrix c) {
        double[] x = randomVector(b.cols(), 2);
        double[] abx = multiply(a, multiply(b, x, false), false);
        return relative(distance(multiply(c, x, false), abx), frobenius(a) * frobenius(b) * norm(x));
    }

    /** ‖Aᵀ·A·x − Rᵀ·R·x‖ / (‖A‖² ‖x‖). */
    static double qr(BlockMatrix a, BlockMatrix r) {
        double[] x = randomVector(a.cols(), 3);
        double[] atax = multiply(a, multiply(a, x, false), true);
        double[] rtrx = multiply(r, multiply(r, x, false), true);
        double fa = frobenius(a);
        return relative(distance(atax, rtrx), fa * fa * norm(x));
    }

    /** ‖A·X·y − B·y‖ / (‖A‖ ‖X‖ ‖y‖) for a random y. */
    static double solve(BlockMatrix a, BlockMatrix x, BlockMatrix b) {
        double[] y = randomVector(x.cols(), 4);
        double[] axy = multiply(a, multiply(x, y, false), false);
        return relative(distance(axy, multiply(b, y, false)), frobenius(a) * frobenius(x) * norm(y));
    }

    /** |Σσ² − ‖A‖²| / ‖A‖²: the singular values must carry all of A's Frobenius norm. */
    static double singularValues(BlockMatrix a, double[] sigma) {
        double fa = frobenius(a);
        double sum = 0;
        for (double s : sigma) {
            sum += s * s;
        }
        return relative(Math.abs(sum - fa * fa), fa * fa);
    }

    /**
     * error / scale, where a zero scale (a zero matrix, whose QR, product and SVD are exact) counts an
     * exact zero error as 0 and any other error as infinitely wrong, instead of 0/0 = NaN failing a
     * correct result.
     */
    static double relative(double error, double scale) {
        if (scale == 0) {
            return error == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return error / scale;
    }

    /**
     * max |A[i,j] − A[j,i]| / max |A| over the whole matrix, reading one pair of blocks at a time; 0 for
     * a symmetric (or zero) matrix.
     */
    /** An entry that is NaN or infinite, where a check needs finite values. */
    static final class NonFiniteEntry extends IllegalArgumentException {
        NonFiniteEntry(long row, long col, double value) {
            super("entry (" + row + ", " + col + ") is " + value);
        }
    }

    /** @throws NonFiniteEntry at the first NaN or infinite entry, which no asymmetry could measure */
    static double asymmetry(BlockMatrix a) {
        double worst = 0;
        double scale = 0;
        for (int bi = 0; bi < a.gridRows(); bi++) {
            for (int bj = 0; bj <= bi; bj++) {
                Block lower = a.read(bi, bj);
                Block upper = bi == bj ? lower : a.read(bj, bi);
                for (int j = 0; j < lower.cols(); j++) {
                    for (int i = 0; i < lower.rows(); i++) {
                        double v = lower.get(i, j);
                        double mirrored = upper.get(j, i);
                        if (!Double.isFinite(v) || !Double.isFinite(mirrored)) {
                            long row = (long) bi * a.blockRows() + i;
                            long col = (long) bj * a.blockCols() + j;
                            throw new NonFiniteEntry(Double.isFinite(v) ? col : row, Double.isFinite(v) ? row : col,
                                    Double.isFinite(v) ? mirrored : v);
                        }
                        scale = Math.max(scale, Math.abs(v));
                        worst = Math.max(worst, Math.abs(v - mirrored));
                    }
                }
                if (bi != bj) {
                    for (double v : upper.data()) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                }
            }
        }
        return relative(worst, scale);
    }
}

package io.numpywren.kernel;

import io.numpywren.matrix.Block;

import java.util.SplittableRandom;

/** Plain Java reference operations for checking kernels against their definitions. */
final class Dense {
    static final double EPS = Math.ulp(1.0);

    private Dense() {
    }

    static Block random(int rows, int cols, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Block b = Block.zeros(rows, cols);
        double[] d = b.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextDouble(-1.0, 1.0);
        }
        return b;
    }

    static Block multiply(Block a, Block b) {
        if (a.cols() != b.rows()) {
            throw new IllegalArgumentException(a.shapeString() + " times " + b.shapeString());
        }
        Block c = Block.zeros(a.rows(), b.cols());
        for (int j = 0; j < b.cols(); j++) {
            for (int p = 0; p < a.cols(); p++) {
                double bpj = b.get(p, j);
                for (int i = 0; i < a.rows(); i++) {
                    c.data()[i + j * a.rows()] += a.get(i, p) * bpj;
                }
            }
        }
        return c;
    }

    static Block subtract(Block a, Block b) {
        Block c = a.copy();
        for (int i = 0; i < c.data().length; i++) {
            c.data()[i] -= b.data()[i];
        }
        return c;
    }

    static Block add(Block a, Block b) {
        Block c = a.copy();
        for (int i = 0; i < c.data().length; i++) {
            c.data()[i] += b.data()[i];
        }
        return c;
    }

    static Block scale(Block a, double s) {
        Block c = a.copy();
        for (int i = 0; i < c.data().length; i++) {
            c.data()[i] *= s;
        }
        return c;
    }

    static double norm(Block a) {
        return a.frobeniusNorm();
    }

    /** ‖a − b‖_F / max(‖b‖_F, tiny). */
    static double relativeError(Block a, Block b) {
        return norm(subtract(a, b)) / Math.max(norm(b), Double.MIN_NORMAL);
    }

    /** An m x n matrix with orthonormal columns (m ≥ n), by modified Gram–Schmidt done twice. */
    static Block orthonormal(int m, int n, long seed) {
        Block q = random(m, n, seed);
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) {
                        dot += q.get(i, p) * q.get(i, j);
                    }
                    for (int i = 0; i < m; i++) {
                        q.set(i, j, q.get(i, j) - dot * q.get(i, p));
                    }
                }
                double nrm = 0;
                for (int i = 0; i < m; i++) {
                    nrm += q.get(i, j) * q.get(i, j);
                }
                nrm = Math.sqrt(nrm);
                for (int i = 0; i < m; i++) {
                    q.set(i, j, q.get(i, j) / nrm);
                }
            }
        }
        return q;
    }

    /** Singular values spread geometrically from 1 down to 1/condition. */
    static double[] geometricValues(int n, double condition) {
        double[] s = new double[n];
        for (int i = 0; i < n; i++) {
            s[i] = n == 1 ? 1.0 : Math.pow(condition, -(double) i / (n - 1));
        }
        return s;
    }

    /** U·diag(s)·Vᵀ with random orthonormal U (m x k) and V (n x k), k = s.length. */
    static Block withSingularValues(int m, int n, double[] s, long seed) {
        Block u = orthonormal(m, s.length, seed);
        Block v = orthonormal(n, s.length, seed + 1);
        Block us = u.copy();
        for (int j = 0; j < s.length; j++) {
            for (int i = 0; i < m; i++) {
                us.set(i, j, us.get(i, j) * s[j]);
            }
        }
        return multiply(us, v.transpose());
    }

    /** Q·diag(s)·Qᵀ: symmetric positive definite with condition number max(s)/min(s). */
    static Block spd(int n, double condition, long seed) {
        Block q = orthonormal(n, n, seed);
        double[] s = geometricValues(n, condition);
        Block qs = q.copy();
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                qs.set(i, j, qs.get(i, j) * s[j]);
            }
        }
        Block a = multiply(qs, q.transpose());
        // symmetrise exactly
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < j; i++) {
                a.set(i, j, a.get(j, i));
            }
        }
        return a;
    }

    /** A well-conditioned triangular matrix: random off-diagonal, diagonal of magnitude ≥ n. */
    static Block triangular(int n, boolean lower, long seed) {
        Block a = random(n, n, seed);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                if (lower ? i < j : i > j) {
                    a.set(i, j, 0.0);
                }
            }
            a.set(j, j, (j % 2 == 0 ? 1 : -1) * (n + 1.0));
        }
        return a;
    }

    static Block stack(Block top, Block bottom) {
        Block s = Block.zeros(top.rows() + bottom.rows(), top.cols());
        s.paste(top, 0, 0);
        s.paste(bottom, top.rows(), 0);
        return s;
    }

    static Block join(Block left, Block right) {
        Block s = Block.zeros(left.rows(), left.cols() + right.cols());
        s.paste(left, 0, 0);
        s.paste(right, 0, left.cols());
        return s;
    }

    /** I − V·T·Vᵀ as an explicit matrix. */
    static Block householder(Block v, Block t) {
        return subtract(Block.identity(v.rows(), v.rows()), multiply(multiply(v, t), v.transpose()));
    }

    static boolean isUpperTriangular(Block a) {
        for (int j = 0; j < a.cols(); j++) {
            for (int i = j + 1; i < a.rows(); i++) {
                if (a.get(i, j) != 0.0) {
                    return false;
                }
            }
        }
        return true;
    }

    static boolean isLowerTriangular(Block a) {
        return isUpperTriangular(a.transpose());
    }

    /** A well-conditioned upper triangular matrix, like the R of a QR factorisation. */
    static Block triangularUpper(int n, long seed) {
        return triangular(n, false, seed);
    }
}

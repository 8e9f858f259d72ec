package io.numpywren.kernel;

/**
 * Triangular solve, symmetric rank-k update and compact-WY routines built from GEMM, for libraries that lack them.
 * Almost all of their flops go through {@link LinearAlgebra#dgemm}, so they run near the
 * library's GEMM speed; only small diagonal pieces run in Java.
 */
final class PortableRoutines {
    /** Diagonal blocks of at most this size are solved in Java; everything else is GEMM. */
    private static final int TRSM_BLOCK = 64;
    /** Below this many reflectors, T is built column by column in Java. */
    private static final int LARFT_BASE = 16;

    private PortableRoutines() {
    }

    static void trsm(LinearAlgebra la, boolean left, boolean lower, boolean transA, int m, int n,
                     double[] a, int lda, double[] b, int ldb) {
        if (m == 0 || n == 0) {
            return;
        }
        if (!left) {
            // X op(A) = B  <=>  op(A)ᵀ Xᵀ = Bᵀ: solve on the left with the transposed right-hand side.
            double[] bt = transpose(m, n, b, ldb);
            trsm(la, true, lower, !transA, n, m, a, lda, bt, n);
            untranspose(n, m, bt, b, ldb);
            return;
        }
        if (transA) {
            // Aᵀ of a lower triangle is an upper one: solve with the explicit transpose.
            double[] at = transpose(m, m, a, lda);
            solveLeft(la, !lower, m, n, at, m, b, ldb);
            return;
        }
        solveLeft(la, lower, m, n, a, lda, b, ldb);
    }

    /** Diagonal blocks of at most this size are updated whole through a scratch GEMM. */
    private static final int SYRK_BLOCK = 64;

    static void syrkLower(LinearAlgebra la, int n, int k, double alpha, double[] a, int aOff, int lda,
                          double beta, double[] c, int cOff, int ldc) {
        if (n == 0) {
            return;
        }
        if (n <= SYRK_BLOCK) {
            // Full product in scratch, then only its lower triangle goes into C.
            double[] full = new double[n * n];
            la.dgemm(false, true, n, n, k, alpha, a, aOff, lda, a, aOff, lda, 0.0, full, 0, n);
            for (int j = 0; j < n; j++) {
                for (int i = j; i < n; i++) {
                    int at = cOff + i + j * ldc;
                    c[at] = full[i + j * n] + (beta == 0.0 ? 0.0 : beta * c[at]);
                }
            }
            return;
        }
        int first = n / 2;
        int second = n - first;
        syrkLower(la, first, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
        // C21 := alpha A2 A1ᵀ + beta C21: the off-diagonal block is a plain GEMM.
        la.dgemm(false, true, second, first, k, alpha, a, aOff + first, lda, a, aOff, lda, beta, c,
                cOff + first, ldc);
        syrkLower(la, second, k, alpha, a, aOff + first, lda, beta, c, cOff + first + first * ldc, ldc);
    }

    static void trmmLeft(LinearAlgebra la, boolean upper, boolean transA, int m, int n, double[] a, int aOff,
                         int lda, double[] b, int bOff, int ldb) {
        if (m == 0 || n == 0) {
            return;
        }
        double[] triangle = new double[m * m];
        for (int j = 0; j < m; j++) {
            int from = upper ? 0 : j;
            int to = upper ? j + 1 : m;
            System.arraycopy(a, aOff + from + j * lda, triangle, from + j * m, to - from);
        }
        double[] product = new double[m * n];
        la.dgemm(transA, false, m, n, m, 1.0, triangle, 0, m, b, bOff, ldb, 0.0, product, 0, m);
        for (int j = 0; j < n; j++) {
            System.arraycopy(product, j * m, b, bOff + j * ldb, m);
        }
    }

    /** Solves A X = B for triangular A (m x m), B (m x n). */
    private static void solveLeft(LinearAlgebra la, boolean lower, int m, int n, double[] a, int lda,
                                  double[] b, int ldb) {
        solveRecursive(la, lower, 0, m, n, a, lda, b, ldb);
    }

    /**
     * Solves rows [i0, i0+size) against the diagonal block of A at (i0, i0). Halving, rather than
     * stepping through fixed-width panels, keeps the GEMM updates' inner dimension large, which
     * is where libraries such as JBLAS's reach their speed.
     */
    private static void solveRecursive(LinearAlgebra la, boolean lower, int i0, int size, int n,
                                       double[] a, int lda, double[] b, int ldb) {
        if (size <= TRSM_BLOCK) {
            if (lower) {
                solveDiagonalLower(i0, size, n, a, lda, b, ldb);
            } else {
                solveDiagonalUpper(i0, size, n, a, lda, b, ldb);
            }
            return;
        }
        int first = size / 2;
        int second = size - first;
        int mid = i0 + first;
        if (lower) {
            solveRecursive(la, true, i0, first, n, a, lda, b, ldb);
            la.dgemm(false, false, second, n, first, -1.0, a, mid + i0 * lda, lda, b, i0, ldb, 1.0, b, mid, ldb);
            solveRecursive(la, true, mid, second, n, a, lda, b, ldb);
        } else {
            solveRecursive(la, false, mid, second, n, a, lda, b, ldb);
            la.dgemm(false, false, first, n, second, -1.0, a, i0 + mid * lda, lda, b, mid, ldb, 1.0, b, i0, ldb);
            solveRecursive(la, false, i0, first, n, a, lda, b, ldb);
        }
    }

    private static void solveDiagonalLower(int i0, int ib, int n, double[] a, int lda, double[] b, int ldb) {
        for (int c = 0; c < n; c++) {
            int base = c * ldb + i0;
            for (int p = 0; p < ib; p++) {
                int col = (i0 + p) * lda + i0;
                double x = b[base + p] / a[col + p];
                b[base + p] = x;
                for (int i = p + 1; i < ib; i++) {
                    b[base + i] -= a[col + i] * x;
                }
            }
        }
    }

    private static void solveDiagonalUpper(int i0, int ib, int n, double[] a, int lda, double[] b, int ldb) {
        for (int c = 0; c < n; c++) {
            int base = c * ldb + i0;
            for (int p = ib - 1; p >= 0; p--) {
                int col = (i0 + p) * lda + i0;
                double x = b[base + p] / a[col + p];
                b[base + p] = x;
                for (int i = 0; i < p; i++) {
                    b[base + i] -= a[col + i] * x;
                }
            }
        }
    }

    private static double[] transpose(int m, int n, double[] x, int ldx) {
        double[] t = new double[Math.multiplyExact(m, n)];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                t[j + i * n] = x[i + j * ldx];
            }
        }
        return t;
    }

    /** Writes the transpose of the m x n matrix t (leading dimension m) into x. */
    private static void untranspose(int m, int n, double[] t, double[] x, int ldx) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                x[j + i * ldx] = t[i + j * m];
            }
        }
    }

    static void larft(LinearAlgebra la, int m, int k, double[] v, int ldv, double[] tau, double[] t, int ldt) {
        for (int j = 0; j < k; j++) {
            java.util.Arrays.fill(t, j * ldt, j * ldt + k, 0.0);
        }
        larft(la, m, k, v, 0, ldv, tau, 0, t, 0, ldt);
    }

    /**
     * Recursive T: for V = [V1 V2], T = [T1, -T1 (V1ᵀ V2) T2; 0, T2], where V2 is zero above
     * row k1 so V1ᵀ V2 only involves rows k1..m.
     */
    private static void larft(LinearAlgebra la, int m, int k, double[] v, int vOff, int ldv,
                              double[] tau, int tauOff, double[] t, int tOff, int ldt) {
        if (k <= LARFT_BASE) {
            larftColumns(m, k, v, vOff, ldv, tau, tauOff, t, tOff, ldt);
            return;
        }
        int k1 = k / 2;
        int k2 = k - k1;
        larft(la, m, k1, v, vOff, ldv, tau, tauOff, t, tOff, ldt);
        larft(la, m - k1, k2, v, vOff + k1 + k1 * ldv, ldv, tau, tauOff + k1, t, tOff + k1 + k1 * ldt, ldt);
        double[] w = new double[k1 * k2];
        la.dgemm(true, false, k1, k2, m - k1, 1.0, v, vOff + k1, ldv, v, vOff + k1 + k1 * ldv, ldv, 0.0, w, 0, k1);
        double[] tw = new double[k1 * k2];
        la.dgemm(false, false, k1, k2, k1, 1.0, t, tOff, ldt, w, 0, k1, 0.0, tw, 0, k1);
        la.dgemm(false, false, k1, k2, k2, -1.0, tw, 0, k1, t, tOff + k1 + k1 * ldt, ldt, 0.0, t, tOff + k1 * ldt, ldt);
    }

    /** LAPACK's column-by-column DLARFT, for a few reflectors. */
    private static void larftColumns(int m, int k, double[] v, int vOff, int ldv,
                                     double[] tau, int tauOff, double[] t, int tOff, int ldt) {
        for (int i = 0; i < k; i++) {
            double ti = tau[tauOff + i];
            int tCol = tOff + i * ldt;
            if (ti == 0.0) {
                for (int j = 0; j <= i; j++) {
                    t[tCol + j] = 0.0;
                }
                continue;
            }
            int vi = vOff + i * ldv;
            for (int j = 0; j < i; j++) {
                int vj = vOff + j * ldv;
                double s = 0.0;
                for (int r = i; r < m; r++) {
                    s += v[vj + r] * v[vi + r];
                }
                t[tCol + j] = -ti * s;
            }
            // T[0:i, i] := T[0:i, 0:i] * T[0:i, i], in place from the top.
            for (int j = 0; j < i; j++) {
                double s = 0.0;
                for (int l = j; l < i; l++) {
                    s += t[tOff + j + l * ldt] * t[tCol + l];
                }
                t[tCol + j] = s;
            }
            t[tCol + i] = ti;
        }
    }
}

package io.numpywren.kernel;

import io.numpywren.matrix.BlockArrayPool;

/**
 * Householder reflectors in compact-WY form, applied a panel of {@link #INNER_BLOCK} reflectors
 * at a time, and the QR of two stacked triangles, every large product a GEMM.
 *
 * <p>Why panels: applying all k reflectors of a block at once, (I − V·T·Vᵀ)ᵀ·C, multiplies by
 * the whole k x k T, which adds half again to the two k²·c products that do the work. The T of
 * a run of consecutive reflectors is the matching diagonal block of the full T, so applying the
 * reflectors panel by panel needs only those blocks: the T products shrink to ib·k·c.
 *
 * <p>All arrays are column-major; V is explicit (its unit diagonal and zeros stored).
 */
final class BlockedReflectors {
    /** Reflectors per panel: large enough for GEMM speed, small enough that T's share stays small. */
    static final int INNER_BLOCK = 128;

    /** Columns of a triangle-on-triangle QR built one reflector at a time, below which recursion stops. */
    static final int RECURSION_BASE = 16;

    private BlockedReflectors() {
    }

    /** Work space whose contents are arbitrary: every caller writes it before reading it. */
    private static double[] scratch(int length) {
        return BlockArrayPool.shared().take(length);
    }

    private static void recycle(double[] w, double[] w2) {
        BlockArrayPool.shared().give(w);
        BlockArrayPool.shared().give(w2);
    }

    /**
     * C := op(H)·C for H = I − V·T·Vᵀ, V m x k unit lower trapezoidal, T its full k x k factor,
     * C m x n; op(H) = Hᵀ when {@code transpose}.
     */
    static void applyLeft(LinearAlgebra la, boolean transpose, int m, int n, int k, double[] v, int ldv,
                          double[] t, int ldt, double[] c, int ldc, int ib) {
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        double[] w = scratch(Math.min(ib, k) * n);
        double[] w2 = scratch(w.length);
        int panels = (k + ib - 1) / ib;
        // H = H_1·H_2·…: Hᵀ·C applies H_1ᵀ first, H·C applies the last panel first.
        for (int step = 0; step < panels; step++) {
            int p = transpose ? step : panels - 1 - step;
            int s = p * ib;
            int width = Math.min(ib, k - s);
            int rows = m - s;
            la.dgemm(true, false, width, n, rows, 1.0, v, s + s * ldv, ldv, c, s, ldc, 0.0, w, 0, width);
            la.dgemm(transpose, false, width, n, width, 1.0, t, s + s * ldt, ldt, w, 0, width, 0.0, w2, 0, width);
            la.dgemm(false, false, rows, n, width, -1.0, v, s + s * ldv, ldv, w2, 0, width, 1.0, c, s, ldc);
        }
        recycle(w, w2);
    }

    /**
     * C := C·op(H) for H = I − V·T·Vᵀ, V n x k unit lower trapezoidal, C m x n; op(H) = Hᵀ when
     * {@code transpose}.
     */
    static void applyRight(LinearAlgebra la, boolean transpose, int m, int n, int k, double[] v, int ldv,
                           double[] t, int ldt, double[] c, int ldc, int ib) {
        if (m == 0 || n == 0 || k == 0) {
            return;
        }
        double[] w = scratch(m * Math.min(ib, k));
        double[] w2 = scratch(w.length);
        int panels = (k + ib - 1) / ib;
        // C·H applies H_1 first, C·Hᵀ the last panel first.
        for (int step = 0; step < panels; step++) {
            int p = transpose ? panels - 1 - step : step;
            int s = p * ib;
            int width = Math.min(ib, k - s);
            int cols = n - s;
            la.dgemm(false, false, m, width, cols, 1.0, c, s * ldc, ldc, v, s + s * ldv, ldv, 0.0, w, 0, m);
            la.dgemm(false, transpose, m, width, width, 1.0, w, 0, m, t, s + s * ldt, ldt, 0.0, w2, 0, m);
            la.dgemm(false, true, m, cols, width, -1.0, w2, 0, m, v, s + s * ldv, ldv, 1.0, c, s * ldc, ldc);
        }
        recycle(w, w2);
    }

    /**
     * [C1; C2] := Hᵀ·[C1; C2] for the reflectors of two stacked k x k upper triangles:
     * V = [I; V2] (2k x k, V2 upper triangular), C1 and C2 k x n. The panel of reflectors
     * s..s+ib touches rows s..s+ib of C1 and rows 0..s+ib of C2 only.
     */
    static void applyTriangleOnTriangleLeft(LinearAlgebra la, int k, int n, double[] v, double[] t,
                                            double[] c1, double[] c2, int ib) {
        int ldv = 2 * k;
        double[] w = scratch(Math.min(ib, k) * n);
        double[] w2 = scratch(w.length);
        for (int s = 0; s < k; s += ib) {
            int width = Math.min(ib, k - s);
            applyPanelTriangleOnTriangle(la, width, s + width, n, v, k + s * ldv, ldv, t, s + s * k, k,
                    c1, s, c2, 0, k, w, w2);
        }
        recycle(w, w2);
    }

    /**
     * [C1; C2] := (I − [I; V2]·T·[I; V2]ᵀ)ᵀ·[C1; C2] for one panel of {@code width} reflectors whose
     * V2 has {@code reach} rows: W = Tᵀ·(C1 + V2ᵀ·C2), C1 −= W, C2 −= V2·W. C1 is width x n and
     * C2 reach x n, both with leading dimension {@code ldc}; w and w2 hold at least width·n values.
     */
    private static void applyPanelTriangleOnTriangle(LinearAlgebra la, int width, int reach, int n,
                                                     double[] v2, int v2Off, int ldv, double[] t, int tOff, int ldt,
                                                     double[] c1, int c1Off, double[] c2, int c2Off, int ldc,
                                                     double[] w, double[] w2) {
        for (int j = 0; j < n; j++) {
            System.arraycopy(c1, c1Off + j * ldc, w, j * width, width);
        }
        la.dgemm(true, false, width, n, reach, 1.0, v2, v2Off, ldv, c2, c2Off, ldc, 1.0, w, 0, width);
        la.dgemm(true, false, width, n, width, 1.0, t, tOff, ldt, w, 0, width, 0.0, w2, 0, width);
        for (int j = 0; j < n; j++) {
            int col = c1Off + j * ldc;
            int wCol = j * width;
            for (int i = 0; i < width; i++) {
                c1[col + i] -= w2[wCol + i];
            }
        }
        la.dgemm(false, false, reach, n, width, -1.0, v2, v2Off, ldv, w2, 0, width, 1.0, c2, c2Off, ldc);
    }

    /**
     * [C1 C2] := [C1 C2]·H for the reflectors of two stacked k x k upper triangles
     * (V = [I; V2] as above), C1 and C2 m x k: the LQ counterpart of
     * {@link #applyTriangleOnTriangleLeft}.
     */
    static void applyTriangleOnTriangleRight(LinearAlgebra la, int m, int k, double[] v, double[] t,
                                             double[] c1, double[] c2, int ib) {
        int ldv = 2 * k;
        double[] w = scratch(m * Math.min(ib, k));
        double[] w2 = scratch(w.length);
        for (int s = 0; s < k; s += ib) {
            int width = Math.min(ib, k - s);
            int reach = s + width;
            System.arraycopy(c1, s * m, w, 0, m * width);
            la.dgemm(false, false, m, width, reach, 1.0, c2, 0, m, v, k + s * ldv, ldv, 1.0, w, 0, m);
            la.dgemm(false, false, m, width, width, 1.0, w, 0, m, t, s + s * k, k, 0.0, w2, 0, m);
            int base = s * m;
            for (int i = 0; i < m * width; i++) {
                c1[base + i] -= w2[i];
            }
            la.dgemm(false, true, m, reach, width, -1.0, w2, 0, m, v, k + s * ldv, ldv, 1.0, c2, 0, m);
        }
        recycle(w, w2);
    }

    /**
     * QR of two stacked k x k upper triangles [A1; A2] without touching their zeros: on return
     * {@code a1}'s upper triangle is R, {@code a2} is V2 (upper triangular; V = [I; V2]) and
     * {@code t} (k x k, zeroed by the caller) the full T, so [A1; A2] = (I − V·T·Vᵀ)·[R; 0].
     * Recursive on halves of the columns (as Elmroth and Gustavson's QR): the left half's
     * reflectors update the right half and T's off-diagonal block follows from the halves' Ts,
     * all with GEMMs; only runs of at most {@code base} columns are built column by column.
     * About (2/3)·k³ flops for R where a dense QR of the 2k x k stack costs (10/3)·k³.
     */
    static void factorTriangleOnTriangle(LinearAlgebra la, int k, double[] a1, double[] a2, double[] t, int base) {
        double[] tau = new double[k];
        factorColumns(la, k, 0, k, a1, a2, t, tau, Math.max(1, base));
    }

    /** Factors columns c0..c0+n−1, to which every earlier reflector has been applied, and fills T's diagonal block. */
    private static void factorColumns(LinearAlgebra la, int k, int c0, int n, double[] a1, double[] a2, double[] t,
                                      double[] tau, int base) {
        int end = c0 + n;
        if (n <= base) {
            for (int j = c0; j < end; j++) {
                tau[j] = reflect(k, j, a1, a2);
                applyReflector(k, j, tau[j], end, a1, a2);
            }
            panelT(k, c0, n, a2, tau, t);
            return;
        }
        int n1 = n / 2;
        int n2 = n - n1;
        int mid = c0 + n1;
        factorColumns(la, k, c0, n1, a1, a2, t, tau, base);
        // The left half's reflectors touch rows c0..mid of A1 and 0..mid of A2:
        // W = T11ᵀ·(A1[c0:mid, mid:end] + V2Lᵀ·A2[0:mid, mid:end]); A1[c0:mid, mid:end] −= W; A2[0:mid, mid:end] −= V2L·W
        double[] w = scratch(n1 * n2);
        double[] w2 = scratch(n1 * n2);
        applyPanelTriangleOnTriangle(la, n1, mid, n2, a2, c0 * k, k, t, c0 + c0 * k, k, a1, c0 + mid * k,
                a2, mid * k, k, w, w2);
        factorColumns(la, k, mid, n2, a1, a2, t, tau, base);
        // T12 = −T11·(V2Lᵀ·V2R)·T22; V2L ends at row mid, so the product runs over rows 0..mid.
        la.dgemm(true, false, n1, n2, mid, 1.0, a2, c0 * k, k, a2, mid * k, k, 0.0, w, 0, n1);
        la.dgemm(false, false, n1, n2, n1, 1.0, t, c0 + c0 * k, k, w, 0, n1, 0.0, w2, 0, n1);
        la.dgemm(false, false, n1, n2, n2, -1.0, w2, 0, n1, t, mid + mid * k, k, 0.0, t, c0 + mid * k, k);
        recycle(w, w2);
    }

    /**
     * Householder reflector H_j = I − τ·v·vᵀ zeroing A2[0..j, j] against A1[j, j] (LAPACK DLARFG):
     * A1[j, j] becomes β, A2[0..j, j] becomes v's tail (its head, 1, sits on row j of the identity).
     */
    private static double reflect(int k, int j, double[] a1, double[] a2) {
        int col = j * k;
        double alpha = a1[j + col];
        double xnorm = norm(a2, col, j + 1);
        if (xnorm == 0.0) {
            return 0.0;
        }
        double beta = -Math.copySign(Math.hypot(alpha, xnorm), alpha);
        double tau = (beta - alpha) / beta;
        double scale = 1.0 / (alpha - beta);
        for (int i = 0; i <= j; i++) {
            a2[col + i] *= scale;
        }
        a1[j + col] = beta;
        return tau;
    }

    /** Applies H_j to columns j+1..end−1 of the pair: row j of A1, rows 0..j of A2. */
    private static void applyReflector(int k, int j, double tau, int end, double[] a1, double[] a2) {
        if (tau == 0.0) {
            return;
        }
        int vCol = j * k;
        for (int c = j + 1; c < end; c++) {
            int col = c * k;
            double s = a1[j + col];
            for (int i = 0; i <= j; i++) {
                s += a2[vCol + i] * a2[col + i];
            }
            s *= tau;
            a1[j + col] -= s;
            for (int i = 0; i <= j; i++) {
                a2[col + i] -= s * a2[vCol + i];
            }
        }
    }

    /**
     * The diagonal block T[s:s+width, s:s+width] for the panel's reflectors (DLARFT's recurrence;
     * the identity halves of V are orthogonal, so Vᵀ·v only involves V2).
     */
    private static void panelT(int k, int s, int width, double[] a2, double[] tau, double[] t) {
        for (int i = 0; i < width; i++) {
            int j = s + i;
            int tCol = j * k;
            double tj = tau[j];
            if (tj == 0.0) {
                continue; // the column stays zero
            }
            for (int l = 0; l < i; l++) {
                int jl = s + l;
                double dot = 0.0;
                for (int r = 0; r <= jl; r++) {
                    dot += a2[jl * k + r] * a2[tCol + r];
                }
                t[s + l + tCol] = -tj * dot;
            }
            // T[s:j, j] := T[s:j, s:j]·T[s:j, j], upper triangular, from the top down
            for (int l = 0; l < i; l++) {
                double sum = 0.0;
                for (int q = l; q < i; q++) {
                    sum += t[s + l + (s + q) * k] * t[s + q + tCol];
                }
                t[s + l + tCol] = sum;
            }
            t[j + tCol] = tj;
        }
    }

    /** Euclidean norm of x[off..off+len), scaled against overflow and underflow. */
    private static double norm(double[] x, int off, int len) {
        double scale = 0.0;
        double ssq = 1.0;
        for (int i = off; i < off + len; i++) {
            double a = Math.abs(x[i]);
            if (a != 0.0) {
                if (scale < a) {
                    ssq = 1.0 + ssq * (scale / a) * (scale / a);
                    scale = a;
                } else {
                    ssq += (a / scale) * (a / scale);
                }
            }
        }
        return scale * Math.sqrt(ssq);
    }
}

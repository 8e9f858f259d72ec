package io.numpywren.kernel;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockArrayPool;

import java.util.Arrays;
import java.util.List;

/**
 * Householder kernels in compact-WY form. QR of one block or of two stacked blocks gives
 * V (explicit unit lower trapezoidal), T (upper triangular) and R with
 * A = (I − V·T·Vᵀ)·[R; 0]. LQ is QR of the transpose: V, T, L with A·(I − V·T·Vᵀ) = [L 0].
 * Work copies, stacks and transposes the kernels make for themselves go back to the block-array
 * pool once consumed (a fresh block-sized array costs as much as a fifth of a block DGEMM here);
 * inputs and outputs never do.
 */
final class QrKernels {
    private QrKernels() {
    }

    static long householderFlops(long m, long n) {
        long k = Math.min(m, n);
        long factor = m >= n ? 2 * n * n * m - 2 * n * n * n / 3 : 2 * m * m * n - 2 * m * m * m / 3;
        return factor + m * k * k; // + forming T
    }

    static long qrFactorFlops(List<int[]> s, KernelArgs a) {
        long m = s.get(0)[0] + (s.size() == 2 ? s.get(1)[0] : 0);
        return householderFlops(m, s.get(0)[1]);
    }

    static long lqFactorFlops(List<int[]> s, KernelArgs a) {
        long n = s.get(0)[1] + (s.size() == 2 ? s.get(1)[1] : 0);
        return householderFlops(n, s.get(0)[0]);
    }

    /** Qᵀ·C for V r x k (unit lower trapezoidal) and C r x c: 4·r·c·k − 2·c·k², as LAPACK counts DORMQR. */
    static long qrApplyFlops(List<int[]> s, KernelArgs a) {
        return applyFlops(s.get(0)[0], s.get(0)[1], s.get(2)[1]);
    }

    /** C·H for V r x k and C c x r: 4·r·c·k − 2·c·k² (C's rows are the other dimension). */
    static long lqApplyFlops(List<int[]> s, KernelArgs a) {
        return applyFlops(s.get(0)[0], s.get(0)[1], s.get(2)[0]);
    }

    private static long applyFlops(long r, long k, long c) {
        return 4 * r * c * k - 2 * c * k * k;
    }

    /**
     * The V, T, R of a QR factorisation of the m x n matrix in {@code work}, which must be the
     * caller's own copy: it is destroyed and given to the pool.
     */
    private static List<Block> factor(LinearAlgebra la, int m, int n, double[] work) {
        int k = Math.min(m, n);
        double[] tau = new double[k];
        la.dgeqrf(m, n, work, Math.max(1, m), tau);
        Block v = Block.zeros(m, k);
        double[] vd = v.data();
        for (int j = 0; j < k; j++) {
            vd[j + j * m] = 1.0;
            System.arraycopy(work, j + 1 + j * m, vd, j + 1 + j * m, m - j - 1);
        }
        Block r = Block.zeros(k, n);
        double[] rd = r.data();
        for (int j = 0; j < n; j++) {
            System.arraycopy(work, j * m, rd, j * k, Math.min(j + 1, k));
        }
        Block t = Block.zeros(k, k);
        la.dlarft(m, k, vd, Math.max(1, m), tau, t.data(), Math.max(1, k));
        BlockArrayPool.shared().give(work);
        return List.of(v, t, r);
    }

    private static Block stackRows(String kernel, Block top, Block bottom) {
        if (top.cols() != bottom.cols()) {
            throw new KernelException(kernel, "stacked blocks must have the same number of columns, got "
                    + top.shapeString() + " and " + bottom.shapeString());
        }
        Block s = Block.zeros(top.rows() + bottom.rows(), top.cols());
        s.paste(top, 0, 0);
        s.paste(bottom, top.rows(), 0);
        return s;
    }

    private static Block joinColumns(String kernel, Block left, Block right) {
        if (left.rows() != right.rows()) {
            throw new KernelException(kernel, "side-by-side blocks must have the same number of rows, got "
                    + left.shapeString() + " and " + right.shapeString());
        }
        Block s = Block.zeros(left.rows(), left.cols() + right.cols());
        s.paste(left, 0, 0);
        s.paste(right, 0, left.cols());
        return s;
    }

    static List<Block> qrFactor(LinearAlgebra la, List<Block> in, KernelArgs args) {
        if (in.size() == 2 && areUpperTrianglesOfOneSize(in.get(0), in.get(1))) {
            return factorTriangleOnTriangle(la, in.get(0).copy(), in.get(1).copy());
        }
        Block a = in.size() == 1 ? in.get(0).copy() : stackRows("qr_factor", in.get(0), in.get(1));
        return factor(la, a.rows(), a.cols(), a.data());
    }

    static List<Block> lqFactor(LinearAlgebra la, List<Block> in, KernelArgs args) {
        if (in.size() == 2) {
            // Two lower triangles side by side (a merge in BDFAC's row tree) are, transposed, two stacked upper ones.
            Block left = in.get(0).transpose();
            Block right = in.get(1).transpose();
            if (areUpperTrianglesOfOneSize(left, right)) {
                return transposingR(factorTriangleOnTriangle(la, left, right));
            }
            BlockArrayPool.shared().give(left.data());
            BlockArrayPool.shared().give(right.data());
        }
        Block at;
        if (in.size() == 1) {
            at = in.get(0).transpose();
        } else {
            Block joined = joinColumns("lq_factor", in.get(0), in.get(1));
            at = joined.transpose();
            BlockArrayPool.shared().give(joined.data());
        }
        return transposingR(factor(la, at.rows(), at.cols(), at.data()));
    }

    /** V, T, Rᵀ from V, T, R of a factorisation this kernel owns (R's array goes to the pool). */
    private static List<Block> transposingR(List<Block> vtr) {
        Block l = vtr.get(2).transpose();
        BlockArrayPool.shared().give(vtr.get(2).data());
        return List.of(vtr.get(0), vtr.get(1), l);
    }

    /** Whether both are k x k with exact zeros below the diagonal, as R factors are. */
    private static boolean areUpperTrianglesOfOneSize(Block top, Block bottom) {
        int k = top.rows();
        return top.cols() == k && bottom.rows() == k && bottom.cols() == k && isUpperTriangular(top)
                && isUpperTriangular(bottom);
    }

    private static boolean isUpperTriangular(Block a) {
        double[] d = a.data();
        int ld = a.rows();
        for (int j = 0; j < a.cols(); j++) {
            for (int i = j + 1; i < ld; i++) {
                if (d[i + j * ld] != 0.0) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * V = [I; V2], T, R of two stacked k x k upper triangles, the caller's own copies: {@code top}
     * becomes R and {@code bottom}, once V2 is copied out, goes to the pool.
     */
    private static List<Block> factorTriangleOnTriangle(LinearAlgebra la, Block top, Block bottom) {
        int k = top.rows();
        Block t = Block.zeros(k, k);
        BlockedReflectors.factorTriangleOnTriangle(la, k, top.data(), bottom.data(), t.data(),
                BlockedReflectors.RECURSION_BASE);
        Block v = Block.zeros(2 * k, k);
        double[] vd = v.data();
        double[] v2 = bottom.data();
        for (int j = 0; j < k; j++) {
            vd[j + j * 2 * k] = 1.0;
            System.arraycopy(v2, j * k, vd, k + j * 2 * k, j + 1);
        }
        BlockArrayPool.shared().give(v2);
        double[] rd = top.data();
        for (int j = 0; j < k; j++) {
            Arrays.fill(rd, j * k + j + 1, (j + 1) * k, 0.0);
        }
        return List.of(v, t, top);
    }

    private static void checkReflectors(String kernel, Block v, Block t, int length, String what) {
        int k = v.cols();
        if (t.rows() != k || t.cols() != k) {
            throw new KernelException(kernel, "T must be " + k + "x" + k + " for a V with " + k + " columns, got "
                    + t.shapeString());
        }
        if (v.rows() != length) {
            throw new KernelException(kernel, "V has " + v.rows() + " rows but " + what + " " + length);
        }
    }

    /**
     * Whether input {@code i} may be overwritten by a kernel run with inputs it owns: only when
     * it is not also passed as another argument (a key named twice arrives as one block).
     */
    private static boolean overwritable(boolean owned, List<Block> in, int i) {
        if (!owned) {
            return false;
        }
        for (int j = 0; j < in.size(); j++) {
            if (j != i && in.get(j) == in.get(i)) {
                return false;
            }
        }
        return true;
    }

    private static Block target(boolean owned, List<Block> in, int i) {
        return overwritable(owned, in, i) ? in.get(i) : in.get(i).copy();
    }

    /** Qᵀ·C = (I − V·T·Vᵀ)ᵀ·C. */
    static List<Block> qrLeaf(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return qrLeaf(la, in, false);
    }

    /** As {@link #qrLeaf}, overwriting C when the caller owns the inputs. */
    static List<Block> qrLeafInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return qrLeaf(la, in, true);
    }

    private static List<Block> qrLeaf(LinearAlgebra la, List<Block> in, boolean owned) {
        Block v = in.get(0);
        Block t = in.get(1);
        Block c = in.get(2);
        checkReflectors("qr_leaf", v, t, c.rows(), "C has");
        Block out = target(owned, in, 2);
        BlockedReflectors.applyLeft(la, true, c.rows(), c.cols(), v.cols(), v.data(), Math.max(1, v.rows()),
                t.data(), Math.max(1, t.rows()), out.data(), Math.max(1, c.rows()), BlockedReflectors.INNER_BLOCK);
        return List.of(out);
    }

    static List<Block> qrTrailingUpdate(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return qrTrailingUpdate(la, in, false);
    }

    /** As {@link #qrTrailingUpdate}, overwriting C1 and C2 when the caller owns the inputs. */
    static List<Block> qrTrailingUpdateInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return qrTrailingUpdate(la, in, true);
    }

    private static List<Block> qrTrailingUpdate(LinearAlgebra la, List<Block> in, boolean owned) {
        Block v = in.get(0);
        Block c1 = in.get(2);
        Block c2 = in.get(3);
        int k = v.cols();
        if (c1.rows() == k && c2.rows() == k && c2.cols() == c1.cols() && v.rows() == 2 * k
                && in.get(1).rows() == k && in.get(1).cols() == k && isIdentityOverUpperTriangle(v, k)) {
            Block top = target(owned, in, 2);
            Block bottom = target(owned, in, 3);
            BlockedReflectors.applyTriangleOnTriangleLeft(la, k, c1.cols(), v.data(), in.get(1).data(), top.data(),
                    bottom.data(), BlockedReflectors.INNER_BLOCK);
            return List.of(top, bottom);
        }
        Block stacked = stackRows("qr_trailing_update", c1, c2);
        Block updated = qrLeaf(la, List.of(v, in.get(1), stacked), true).get(0);
        List<Block> halves = List.of(updated.slice(0, 0, c1.rows(), c1.cols()),
                updated.slice(c1.rows(), 0, c2.rows(), c1.cols()));
        BlockArrayPool.shared().give(stacked.data());
        return halves;
    }

    /**
     * Whether V = [I; V2] with V2 upper triangular, as the reflectors of two stacked upper
     * triangles (a merge in CAQR's tree) always are: the reflectors never touch the zeros.
     */
    private static boolean isIdentityOverUpperTriangle(Block v, int k) {
        double[] d = v.data();
        int ld = v.rows();
        for (int j = 0; j < k; j++) {
            int col = j * ld;
            for (int i = 0; i < k; i++) {
                if (d[col + i] != (i == j ? 1.0 : 0.0)) {
                    return false;
                }
            }
            for (int i = k + j + 1; i < 2 * k; i++) {
                if (d[col + i] != 0.0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** C·(I − V·T·Vᵀ). */
    static List<Block> lqLeaf(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return lqLeaf(la, in, false);
    }

    /** As {@link #lqLeaf}, overwriting C when the caller owns the inputs. */
    static List<Block> lqLeafInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return lqLeaf(la, in, true);
    }

    private static List<Block> lqLeaf(LinearAlgebra la, List<Block> in, boolean owned) {
        Block v = in.get(0);
        Block t = in.get(1);
        Block c = in.get(2);
        checkReflectors("lq_leaf", v, t, c.cols(), "C has columns");
        Block out = target(owned, in, 2);
        BlockedReflectors.applyRight(la, false, c.rows(), c.cols(), v.cols(), v.data(), Math.max(1, v.rows()),
                t.data(), Math.max(1, t.rows()), out.data(), Math.max(1, c.rows()), BlockedReflectors.INNER_BLOCK);
        return List.of(out);
    }

    static List<Block> lqTrailingUpdate(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return lqTrailingUpdate(la, in, false);
    }

    /** As {@link #lqTrailingUpdate}, overwriting C1 and C2 when the caller owns the inputs. */
    static List<Block> lqTrailingUpdateInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return lqTrailingUpdate(la, in, true);
    }

    private static List<Block> lqTrailingUpdate(LinearAlgebra la, List<Block> in, boolean owned) {
        Block v = in.get(0);
        Block c1 = in.get(2);
        Block c2 = in.get(3);
        int k = v.cols();
        if (c1.cols() == k && c2.cols() == k && c2.rows() == c1.rows() && v.rows() == 2 * k
                && in.get(1).rows() == k && in.get(1).cols() == k && isIdentityOverUpperTriangle(v, k)) {
            Block left = target(owned, in, 2);
            Block right = target(owned, in, 3);
            BlockedReflectors.applyTriangleOnTriangleRight(la, c1.rows(), k, v.data(), in.get(1).data(), left.data(),
                    right.data(), BlockedReflectors.INNER_BLOCK);
            return List.of(left, right);
        }
        Block joined = joinColumns("lq_trailing_update", c1, in.get(3));
        Block updated = lqLeaf(la, List.of(in.get(0), in.get(1), joined), true).get(0);
        List<Block> halves = List.of(updated.slice(0, 0, c1.rows(), c1.cols()),
                updated.slice(0, c1.cols(), c1.rows(), in.get(3).cols()));
        BlockArrayPool.shared().give(joined.data());
        return halves;
    }
}

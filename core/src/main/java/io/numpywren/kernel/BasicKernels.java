package io.numpywren.kernel;

import io.numpywren.matrix.Block;

import java.util.List;

/** Bodies and flop models of gemm, add, identity, scale, chol, trsm and syrk. */
final class BasicKernels {
    private BasicKernels() {
    }

    static long gemmFlops(List<int[]> s, KernelArgs a) {
        int offset = s.size() - 2;
        int[] x = s.get(offset);
        boolean transA = a.getBoolean("gemm", "transA", false);
        boolean transB = a.getBoolean("gemm", "transB", false);
        long m = transA ? x[1] : x[0];
        long k = transA ? x[0] : x[1];
        long n = transB ? s.get(offset + 1)[0] : s.get(offset + 1)[1];
        return 2 * m * n * k + (offset == 1 ? m * n : 0);
    }

    static List<Block> gemm(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return gemm(la, in, args, false);
    }

    static List<Block> gemmInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return gemm(la, in, args, true);
    }

    private static List<Block> gemm(LinearAlgebra la, List<Block> in, KernelArgs args, boolean reuse) {
        boolean accumulate = in.size() == 3;
        Block a = in.get(accumulate ? 1 : 0);
        Block b = in.get(accumulate ? 2 : 1);
        boolean transA = args.getBoolean("gemm", "transA", false);
        boolean transB = args.getBoolean("gemm", "transB", false);
        double alpha = args.getDouble("gemm", "alpha", 1.0);
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb) {
            throw new KernelException("gemm", "inner dimensions differ: op(A) is " + m + "x" + k + ", op(B) is "
                    + kb + "x" + n);
        }
        Block c;
        if (accumulate) {
            Block c0 = in.get(0);
            if (c0.rows() != m || c0.cols() != n) {
                throw new KernelException("gemm", "accumulator is " + c0.shapeString() + " but op(A)·op(B) is "
                        + m + "x" + n);
            }
            // The accumulator is overwritten only when it is not also A or B.
            c = reuse && c0 != a && c0 != b ? c0 : c0.copy();
        } else {
            c = Block.zeros(m, n);
        }
        la.dgemm(transA, transB, m, n, k, alpha, a.data(), 0, a.rows(), b.data(), 0, b.rows(),
                accumulate ? 1.0 : 0.0, c.data(), 0, m);
        return List.of(c);
    }

    /** Products in a gemm_sum call: an odd count means the first input is an accumulator. */
    private static int accumulatorCount(int inputs) {
        return inputs % 2;
    }

    static long gemmSumFlops(List<int[]> s, KernelArgs a) {
        int offset = accumulatorCount(s.size());
        int products = (s.size() - offset) / 2;
        long flops = offset == 1 ? (long) s.get(0)[0] * s.get(0)[1] : 0;
        for (int p = 0; p < products; p++) {
            int[] x = s.get(offset + p);
            flops += 2L * x[0] * x[1] * s.get(offset + products + p)[1];
        }
        return flops;
    }

    static List<Block> gemmSum(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return gemmSum(la, in, false);
    }

    static List<Block> gemmSumInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return gemmSum(la, in, true);
    }

    /**
     * [C +] A1·B1 + ... + Ap·Bp from inputs [C,] A1..Ap, B1..Bp: the layout two slices give,
     * {@code gemm_sum(A[i, s:e], B[s:e, j])}. One task sums a whole run of products into one
     * array, with no partial sum written between them.
     */
    private static List<Block> gemmSum(LinearAlgebra la, List<Block> in, boolean reuse) {
        int offset = accumulatorCount(in.size());
        int products = (in.size() - offset) / 2;
        if (products == 0) {
            throw new KernelException("gemm_sum", "needs at least one product A·B, got " + in.size() + " input block"
                    + (in.size() == 1 ? "" : "s"));
        }
        int m = in.get(offset).rows();
        int n = in.get(offset + products).cols();
        for (int p = 0; p < products; p++) {
            Block a = in.get(offset + p);
            Block b = in.get(offset + products + p);
            if (a.rows() != m || b.cols() != n || a.cols() != b.rows()) {
                throw new KernelException("gemm_sum", "product " + (p + 1) + " of " + products + " multiplies A "
                        + a.shapeString() + " by B " + b.shapeString() + "; every A must be " + m + "xk and every B kx"
                        + n + " with matching k (inputs are [C,] A1..A" + products + ", B1..B" + products + ")");
            }
        }
        Block c;
        double beta;
        if (offset == 1) {
            Block c0 = in.get(0);
            if (c0.rows() != m || c0.cols() != n) {
                throw new KernelException("gemm_sum", "accumulator is " + c0.shapeString() + " but the products are "
                        + m + "x" + n);
            }
            boolean aliased = false;
            for (int i = 1; i < in.size(); i++) {
                aliased |= in.get(i) == c0;
            }
            c = reuse && !aliased ? c0 : c0.copy();
            beta = 1.0;
        } else {
            c = Block.zeros(m, n);
            beta = 0.0;
        }
        for (int p = 0; p < products; p++) {
            Block a = in.get(offset + p);
            Block b = in.get(offset + products + p);
            la.dgemm(false, false, m, n, a.cols(), 1.0, a.data(), 0, m, b.data(), 0, b.rows(), beta, c.data(), 0, m);
            beta = 1.0;
        }
        return List.of(c);
    }

    static List<Block> add(LinearAlgebra la, List<Block> in, KernelArgs args) {
        Block first = in.get(0);
        Block sum = first.copy();
        double[] s = sum.data();
        for (int i = 1; i < in.size(); i++) {
            Block x = in.get(i);
            if (x.rows() != first.rows() || x.cols() != first.cols()) {
                throw new KernelException("add", "input " + (i + 1) + " is " + x.shapeString() + ", input 1 is "
                        + first.shapeString());
            }
            double[] d = x.data();
            for (int p = 0; p < s.length; p++) {
                s[p] += d[p];
            }
        }
        return List.of(sum);
    }

    static List<Block> identity(LinearAlgebra la, List<Block> in, KernelArgs args) {
        int rows = args.getInt("identity", "rows");
        int cols = args.getInt("identity", "cols");
        if (rows < 0 || cols < 0) {
            throw new KernelException("identity", "shape must be non-negative, got " + rows + "x" + cols);
        }
        return List.of(Block.identity(rows, cols));
    }

    static List<Block> scale(LinearAlgebra la, List<Block> in, KernelArgs args) {
        if (!args.has("alpha")) {
            throw new KernelException("scale", "argument 'alpha' is required");
        }
        double alpha = args.getDouble("scale", "alpha", 1.0);
        Block out = in.get(0).copy();
        double[] d = out.data();
        for (int p = 0; p < d.length; p++) {
            d[p] *= alpha;
        }
        return List.of(out);
    }

    static List<Block> chol(LinearAlgebra la, List<Block> in, KernelArgs args) {
        Block a = in.get(0);
        requireSquare("chol", a, "input");
        int n = a.rows();
        Block l = a.copy();
        double[] d = l.data();
        int info = la.dpotrfLower(n, d, n);
        if (info > 0) {
            throw new KernelException("chol", "the " + n + "x" + n + " block is not positive definite: its leading minor "
                    + "of order " + info + " is not positive (pivot at row and column " + (info - 1) + " of the block)");
        }
        if (info < 0) {
            throw new IllegalStateException("dpotrf rejected argument " + (-info));
        }
        for (int j = 1; j < n; j++) {
            for (int i = 0; i < j; i++) {
                d[i + j * n] = 0.0;
            }
        }
        return List.of(l);
    }

    static long trsmFlops(List<int[]> s, KernelArgs a) {
        long m = s.get(1)[0];
        long n = s.get(1)[1];
        return a.getBoolean("trsm", "right", false) ? n * n * m : m * m * n;
    }

    static List<Block> trsm(LinearAlgebra la, List<Block> in, KernelArgs args) {
        Block a = in.get(0);
        Block b = in.get(1);
        boolean right = args.getBoolean("trsm", "right", false);
        boolean lower = args.getBoolean("trsm", "lower", true);
        boolean transA = args.getBoolean("trsm", "transA", false);
        requireSquare("trsm", a, "triangular input");
        int needed = right ? b.cols() : b.rows();
        if (a.rows() != needed) {
            throw new KernelException("trsm", "the triangle is " + a.shapeString() + " but the right-hand side is "
                    + b.shapeString() + (right ? " (solving X·op(A) = B needs A to match B's columns)"
                    : " (solving op(A)·X = B needs A to match B's rows)"));
        }
        for (int i = 0; i < a.rows(); i++) {
            if (a.get(i, i) == 0.0) {
                throw new KernelException("trsm", "the triangular matrix is singular: zero on the diagonal at ("
                        + i + "," + i + ")");
            }
        }
        Block x = b.copy();
        la.dtrsm(!right, lower, transA, b.rows(), b.cols(), a.data(), a.rows(), x.data(), b.rows());
        return List.of(x);
    }

    static long syrkFlops(List<int[]> s, KernelArgs a) {
        long m = s.get(0)[0];
        long n = s.get(0)[1];
        long k = s.get(1)[1];
        if (s.size() == 2) {
            // The symmetric update computes the lower triangle only (and derives the upper one
            // unless told to keep S's).
            return m * (m + 1) * k + (a.getBoolean("syrk", "lower", false) ? m * (m + 1) / 2 : m * n);
        }
        return 2 * m * n * k + m * n;
    }

    static List<Block> syrk(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return syrk(la, in, args, false);
    }

    static List<Block> syrkInPlace(LinearAlgebra la, List<Block> in, KernelArgs args) {
        return syrk(la, in, args, true);
    }

    private static List<Block> syrk(LinearAlgebra la, List<Block> in, KernelArgs args, boolean reuse) {
        Block s = in.get(0);
        Block x = in.get(1);
        Block y = in.size() == 3 ? in.get(2) : x;
        if (x.cols() != y.cols() || s.rows() != x.rows() || s.cols() != y.rows()) {
            throw new KernelException("syrk", "S − X·Yᵀ needs S m x n, X m x k and Y n x k; got S "
                    + s.shapeString() + ", X " + x.shapeString() + ", Y " + y.shapeString());
        }
        boolean lowerOnly = args.getBoolean("syrk", "lower", false);
        if (lowerOnly && x != y) {
            throw new KernelException("syrk", "lower=1 needs the symmetric form syrk(S, X), got two different "
                    + "blocks X " + x.shapeString() + " and Y " + y.shapeString());
        }
        if (x == y) {
            // The mirror reads S's original upper triangle, so only a lower-only update may overwrite S.
            Block out = reuse && lowerOnly && s != x ? s : s.copy();
            la.dsyrkLower(s.rows(), x.cols(), -1.0, x.data(), 0, x.rows(), 1.0, out.data(), 0, s.rows());
            if (!lowerOnly) {
                mirrorLowerUpdate(s, out);
            }
            return List.of(out);
        }
        Block out = reuse && s != x && s != y ? s : s.copy();
        la.dgemm(false, true, s.rows(), s.cols(), x.cols(), -1.0, x.data(), 0, x.rows(), y.data(), 0, y.rows(),
                1.0, out.data(), 0, s.rows());
        return List.of(out);
    }

    /**
     * Completes out = S − X·Xᵀ after DSYRK updated only out's lower triangle: since X·Xᵀ is
     * symmetric, its upper triangle equals the lower one's transpose, recovered from what the
     * lower update subtracted. So S need not be symmetric for the result to be exact.
     */
    private static void mirrorLowerUpdate(Block s, Block out) {
        int n = s.rows();
        double[] sd = s.data();
        double[] od = out.data();
        // Square tiles keep both the column-wise reads and the row-wise writes in cache, where a
        // plain double loop strides a whole column per write.
        for (int jt = 0; jt < n; jt += TRANSPOSE_TILE) {
            int jEnd = Math.min(n, jt + TRANSPOSE_TILE);
            for (int it = jt; it < n; it += TRANSPOSE_TILE) {
                int iEnd = Math.min(n, it + TRANSPOSE_TILE);
                for (int j = jt; j < jEnd; j++) {
                    for (int i = Math.max(it, j + 1); i < iEnd; i++) {
                        // (X·Xᵀ)[i][j] = S[i][j] − out[i][j]; the upper element (j, i) loses the same amount.
                        od[j + i * n] = sd[j + i * n] - (sd[i + j * n] - od[i + j * n]);
                    }
                }
            }
        }
    }

    /** Side of the square tiles in which the symmetric update mirrors its lower triangle. */
    private static final int TRANSPOSE_TILE = 64;

    static void requireSquare(String kernel, Block a, String what) {
        if (a.rows() != a.cols()) {
            throw new KernelException(kernel, what + " must be square, got " + a.shapeString());
        }
    }
}

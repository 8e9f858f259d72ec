package io.numpywren.kernel;

import io.numpywren.matrix.Block;

import java.util.List;

/** The finish of an SVD: singular values of a dense block or of an upper banded matrix. */
final class SvdKernels {
    private SvdKernels() {
    }

    static long denseFlops(List<int[]> s, KernelArgs a) {
        long m = Math.max(s.get(0)[0], s.get(0)[1]);
        long n = Math.min(s.get(0)[0], s.get(0)[1]);
        return 4 * m * n * n - 4 * n * n * n / 3;
    }

    /** Band reduction to bidiagonal (about 6·n²·ku) plus the bidiagonal QR iteration. */
    static long bandFlops(List<int[]> s, KernelArgs a) {
        long ku = s.get(0)[0] - 1L;
        long n = s.get(0)[1];
        return 6 * n * n * Math.max(ku, 1) + 30 * n * n;
    }

    static List<Block> singularValues(LinearAlgebra la, List<Block> in, KernelArgs args) {
        Block a = in.get(0).copy();
        double[] s = la.singularValues(a.rows(), a.cols(), a.data(), Math.max(1, a.rows()));
        return List.of(Block.wrap(s.length, 1, s));
    }

    static List<Block> bandSingularValues(LinearAlgebra la, List<Block> in, KernelArgs args) {
        Block ab = in.get(0);
        if (ab.rows() < 1) {
            throw new KernelException("band_singular_values", "band storage needs at least one row, got "
                    + ab.shapeString());
        }
        int ku = ab.rows() - 1;
        int n = ab.cols();
        double[] s = la.bandSingularValues(n, ku, ab.data(), ab.rows());
        return List.of(Block.wrap(s.length, 1, s));
    }
}

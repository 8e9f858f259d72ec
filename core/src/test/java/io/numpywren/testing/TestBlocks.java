package io.numpywren.testing;

import io.numpywren.matrix.Block;

import java.util.SplittableRandom;

/** Small dense blocks for tests that run kernels in other JVMs, and the checks of what they computed. */
public final class TestBlocks {
    private TestBlocks() {
    }

    /** Entries uniform in [-1, 1). */
    public static Block random(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Block b = Block.zeros(rows, cols);
        for (int i = 0; i < b.data().length; i++) {
            b.data()[i] = random.nextDouble(-1, 1);
        }
        return b;
    }

    /** A random symmetric, diagonally dominant (so positive definite) matrix. */
    public static Block spd(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Block a = Block.zeros(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double v = random.nextDouble(-1, 1);
                a.set(i, j, v);
                a.set(j, i, v);
            }
            a.set(i, i, n + random.nextDouble());
        }
        return a;
    }

    /** max |A − L·Lᵀ| / max |A|, from L's lower triangle only (whatever a kernel leaves above it). */
    public static double choleskyResidual(Block a, Block l) {
        int n = a.rows();
        double worst = 0;
        double scale = 0;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int k = 0; k <= Math.min(i, j); k++) {
                    s += l.get(i, k) * l.get(j, k);
                }
                worst = Math.max(worst, Math.abs(a.get(i, j) - s));
                scale = Math.max(scale, Math.abs(a.get(i, j)));
            }
        }
        return worst / scale;
    }

    /** max |C − A·B| / (max |A| · max |B| · k): rounding error of a product grows with its inner dimension k. */
    public static double productResidual(Block a, Block b, Block c) {
        double worst = 0;
        for (int j = 0; j < c.cols(); j++) {
            for (int i = 0; i < c.rows(); i++) {
                double s = 0;
                for (int k = 0; k < a.cols(); k++) {
                    s += a.get(i, k) * b.get(k, j);
                }
                worst = Math.max(worst, Math.abs(c.get(i, j) - s));
            }
        }
        return worst / (maxAbs(a) * maxAbs(b) * a.cols());
    }

    private static double maxAbs(Block x) {
        double m = 0;
        for (double v : x.data()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}

package io.numpywren.matrix;

/**
 * Produces a matrix block by block without ever materialising the whole of it. Every entry is
 * a pure function of its position (and a seed), so the result does not depend on the block
 * shape or on the order in which blocks are made.
 */
@FunctionalInterface
public interface MatrixGenerator {

    /** Entry (i, j) of a {@code rows} x {@code cols} matrix. */
    double value(long i, long j, long rows, long cols);

    /**
     * The block of {@code nr} x {@code nc} entries whose top-left entry is (r0, c0), new on every
     * call: the caller may give it to a store that keeps it.
     */
    default Block block(long r0, long c0, int nr, int nc, long rows, long cols) {
        Block b = Block.zeros(nr, nc);
        double[] data = b.data();
        for (int j = 0; j < nc; j++) {
            for (int i = 0; i < nr; i++) {
                data[i + j * nr] = value(r0 + i, c0 + j, rows, cols);
            }
        }
        return b;
    }

    /** Uniform entries in [-1, 1), reproducible from {@code seed}. */
    static MatrixGenerator random(long seed) {
        return (i, j, rows, cols) -> uniform(seed, i, j);
    }

    /**
     * A symmetric positive definite matrix: symmetric uniform off-diagonal entries in [-1, 1)
     * and {@code n} on the diagonal, so it is strictly diagonally dominant (hence SPD, with a
     * condition number below 2n).
     */
    static MatrixGenerator spd(long seed) {
        return (i, j, rows, cols) -> {
            if (rows != cols) {
                throw new IllegalArgumentException("an SPD matrix must be square, not " + rows + "x" + cols);
            }
            return i == j ? rows : uniform(seed, Math.min(i, j), Math.max(i, j));
        };
    }

    static MatrixGenerator identity() {
        return (i, j, rows, cols) -> i == j ? 1.0 : 0.0;
    }

    static MatrixGenerator zeros() {
        return new MatrixGenerator() {
            @Override
            public double value(long i, long j, long rows, long cols) {
                return 0.0;
            }

            @Override
            public Block block(long r0, long c0, int nr, int nc, long rows, long cols) {
                return Block.zeros(nr, nc);
            }
        };
    }

    /** A counter-based hash of (seed, i, j) mapped to [-1, 1): SplitMix64's finaliser. */
    private static double uniform(long seed, long i, long j) {
        long z = seed * 0x9E3779B97F4A7C15L + i * 0xC2B2AE3D27D4EB4FL + j * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return ((z >>> 11) * 0x1.0p-53) * 2.0 - 1.0;
    }
}

package io.numpywren.lambdapack;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in algorithms, bound to their inputs: each checks the inputs' shapes, allocates
 * its outputs and intermediates in the job's namespace and binds the program's parameters.
 */
public final class BuiltinPrograms {
    public static final List<String> NAMES = List.of("cholesky", "gemm", "gemm_tree", "trsm_forward", "trsm_backward",
            "tsqr", "qr", "bdfac");

    private BuiltinPrograms() {
    }

    /** A bound built-in program with the handles of what it writes. */
    public record Job(BoundProgram program, Map<String, BlockMatrix> outputs, List<BlockMatrix> intermediates) {
        public BlockMatrix output(String name) {
            BlockMatrix m = outputs.get(name);
            if (m == null) {
                throw new IllegalArgumentException("job has no output '" + name + "' (outputs: " + outputs.keySet() + ")");
            }
            return m;
        }

        /** Deletes every intermediate matrix (the outputs and inputs stay). */
        public void freeIntermediates() {
            intermediates.forEach(BlockMatrix::free);
        }
    }

    private static BlockMatrix.Builder like(BlockMatrix shape, String namespace, String name) {
        return BlockMatrix.builder(shape.store(), namespace, name).shape(shape.rows(), shape.cols())
                .blockShape(shape.blockRows(), shape.blockCols());
    }

    private static void requireSquareBlocks(BlockMatrix m, String algorithm) {
        if (m.rows() != m.cols()) {
            throw new IllegalArgumentException(algorithm + " needs a square matrix, got " + m.name() + " with shape "
                    + m.rows() + "x" + m.cols());
        }
        if (m.blockRows() != m.blockCols()) {
            throw new IllegalArgumentException(algorithm + " needs square blocks, got " + m.name() + " with blocks "
                    + m.blockRows() + "x" + m.blockCols());
        }
        if (m.gridRank() != 2) {
            throw new IllegalArgumentException(algorithm + " needs a 2-D block grid, got " + m);
        }
    }

    /** A = L·Lᵀ for SPD {@code a}: output "L" in {@code namespace}. */
    public static Job cholesky(BlockMatrix a, String namespace) {
        requireSquareBlocks(a, "cholesky");
        int n = a.gridRows();
        BlockMatrix l = like(a, namespace, "L").structure(BlockMatrix.Structure.LOWER_TRIANGULAR).create();
        BlockMatrix s = like(a, namespace, "S").leadingGrid(n).create();
        BoundProgram p = Program.builtin("cholesky").bind(Program.ints("N", n), Map.of("O", l, "I", a, "S", s));
        return new Job(p, Map.of("L", l), List.of(s));
    }

    /** C = A·B with a chain of one-product tasks per output block: output "C". */
    public static Job gemm(BlockMatrix a, BlockMatrix b, String namespace) {
        return gemm(a, b, namespace, 1);
    }

    /**
     * C = A·B with a chain per output block whose tasks each sum {@code productsPerTask}
     * products (the last may sum fewer; more than K means K): output "C".
     */
    public static Job gemm(BlockMatrix a, BlockMatrix b, String namespace, int productsPerTask) {
        requireConformable(a, b);
        if (productsPerTask < 1) {
            throw new IllegalArgumentException("gemm needs at least one product per task, got " + productsPerTask);
        }
        int k = a.gridCols();
        int g = Math.min(productsPerTask, k);
        int groups = (k + g - 1) / g;
        BlockMatrix c = product(a, b, namespace, "C").create();
        BlockMatrix temp = product(a, b, namespace, "Temp").leadingGrid(Math.max(1, groups - 1)).create();
        BoundProgram p = Program.builtin("gemm").bind(
                Program.ints("M", a.gridRows(), "N", b.gridCols(), "K", k, "G", g),
                Map.of("A", a, "B", b, "C", c, "Temp", temp));
        return new Job(p, Map.of("C", c), List.of(temp));
    }

    /**
     * C = A·B with every block product at once and a binary tree of additions over k: more
     * bytes moved and held than the chain, but a critical path of log2(K) additions instead
     * of K products. Output "C".
     */
    public static Job gemmTree(BlockMatrix a, BlockMatrix b, String namespace) {
        requireConformable(a, b);
        int k = a.gridCols();
        int levels = Math.max(1, treeLevels(k));
        BlockMatrix c = product(a, b, namespace, "C").create();
        BlockMatrix temp = product(a, b, namespace, "Temp").leadingGrid(levels, k).create();
        BoundProgram p = Program.builtin("gemm_tree").bind(Program.ints("M", a.gridRows(), "N", b.gridCols(), "K", k),
                Map.of("A", a, "B", b, "C", c, "Temp", temp));
        return new Job(p, Map.of("C", c), List.of(temp));
    }

    /**
     * The chain when there are at least as many output blocks as workers to keep busy (each
     * worker has chains of its own), otherwise the tree, whose products all run at once. The
     * chain's tasks sum as many products as {@link #productsPerTask} allows.
     */
    public static Job plannedGemm(BlockMatrix a, BlockMatrix b, String namespace, int workers, long workerMemoryBytes) {
        long outputBlocks = (long) a.gridRows() * b.gridCols();
        if (outputBlocks < workers && a.gridCols() > 2) {
            return gemmTree(a, b, namespace);
        }
        long bytesPerProduct = 8L * ((long) a.blockRows() * a.blockCols() + (long) b.blockRows() * b.blockCols());
        long accumulatorBytes = 8L * a.blockRows() * b.blockCols();
        return gemm(a, b, namespace, productsPerTask(outputBlocks, a.gridCols(), workers, bytesPerProduct,
                accumulatorBytes, workerMemoryBytes));
    }

    /**
     * How many products one gemm task should sum: as many as possible, since each partial sum
     * written between tasks costs a block write, a read and an accumulator copy, but (1) a task
     * holds its 2G input blocks, an accumulator and its output, which must fit in half a
     * worker's memory, and (2) the tasks must still spread over the workers: the estimated
     * makespan, ⌈tasks / workers⌉·G products, may exceed the ideal outputBlocks·K / workers by
     * at most 10%.
     */
    static int productsPerTask(long outputBlocks, int k, int workers, long bytesPerProduct, long accumulatorBytes,
                               long workerMemoryBytes) {
        long fitting = (workerMemoryBytes / 2 - 2 * accumulatorBytes) / Math.max(1, bytesPerProduct);
        int g = (int) Math.max(1, Math.min(k, fitting));
        double ideal = (double) outputBlocks * k / workers;
        for (; g > 1; g--) {
            long tasks = outputBlocks * ((k + g - 1) / g);
            long rounds = (tasks + workers - 1) / workers;
            if (rounds * g <= 1.1 * ideal) {
                break;
            }
        }
        return g;
    }

    private static void requireConformable(BlockMatrix a, BlockMatrix b) {
        if (a.cols() != b.rows() || a.blockCols() != b.blockRows()) {
            throw new IllegalArgumentException("gemm needs A's columns and column blocks to match B's rows and row blocks; "
                    + "got A " + a.rows() + "x" + a.cols() + " in " + a.blockRows() + "x" + a.blockCols() + " blocks and B "
                    + b.rows() + "x" + b.cols() + " in " + b.blockRows() + "x" + b.blockCols() + " blocks");
        }
    }

    private static BlockMatrix.Builder product(BlockMatrix a, BlockMatrix b, String namespace, String name) {
        return BlockMatrix.builder(a.store(), namespace, name).shape(a.rows(), b.cols())
                .blockShape(a.blockRows(), b.blockCols());
    }

    /** X with L·X = B for lower triangular {@code l}: output "X". */
    public static Job trsmForward(BlockMatrix l, BlockMatrix b, String namespace) {
        return triangularSolve("trsm_forward", l, b, namespace);
    }

    /** X with Lᵀ·X = B for lower triangular {@code l}: output "X". */
    public static Job trsmBackward(BlockMatrix l, BlockMatrix b, String namespace) {
        return triangularSolve("trsm_backward", l, b, namespace);
    }

    private static Job triangularSolve(String program, BlockMatrix l, BlockMatrix b, String namespace) {
        requireSquareBlocks(l, program);
        if (b.rows() != l.rows() || b.blockRows() != l.blockRows()) {
            throw new IllegalArgumentException(program + " needs B's rows and row blocks to match L's; got L "
                    + l.rows() + "x" + l.cols() + " in " + l.blockRows() + "-blocks and B " + b.rows() + "x" + b.cols()
                    + " in " + b.blockRows() + "x" + b.blockCols() + " blocks");
        }
        BlockMatrix x = like(b, namespace, "X").create();
        BlockMatrix s = like(b, namespace, "S").leadingGrid(l.gridRows()).create();
        Map<String, BlockMatrix> matrices = new LinkedHashMap<>();
        matrices.put("L", l);
        matrices.put("B", b);
        matrices.put("X", x);
        matrices.put("S", s);
        BoundProgram p = Program.builtin(program).bind(Program.ints("N", l.gridRows(), "R", b.gridCols()), matrices);
        return new Job(p, Map.of("X", x), List.of(s));
    }

    /** Levels of a binary tree over {@code n} leaves: ceiling(log2(n)), 0 for one leaf. */
    private static int treeLevels(int n) {
        return n <= 1 ? 0 : 64 - Long.numberOfLeadingZeros(n - 1L);
    }

    private static BlockMatrix.Builder intermediate(BlockMatrix shape, String namespace, String name, int... leading) {
        return like(shape, namespace, name).leadingGrid(leading);
    }

    private static Map<String, BlockMatrix> matrices(Object... namesAndMatrices) {
        Map<String, BlockMatrix> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndMatrices.length; i += 2) {
            map.put((String) namesAndMatrices[i], (BlockMatrix) namesAndMatrices[i + 1]);
        }
        return map;
    }

    /**
     * The R of a tall-skinny QR factorisation A = Q·R by TSQR: {@code a} must have one block
     * column and at least as many rows as columns. Output "R": n x n upper triangular, in one
     * block (n = A's columns). Q is not formed.
     */
    public static Job tsqr(BlockMatrix a, String namespace) {
        if (a.gridRank() != 2) {
            throw new IllegalArgumentException("tsqr needs a 2-D block grid, got " + a);
        }
        if (a.gridCols() != 1) {
            throw new IllegalArgumentException("tsqr needs a tall-skinny matrix with one block column, got " + a.name()
                    + " " + a.rows() + "x" + a.cols() + " with " + a.gridCols() + " block columns of width "
                    + a.blockCols() + " (use qr for a matrix of several block columns)");
        }
        if (a.rows() < a.cols()) {
            throw new IllegalArgumentException("tsqr needs at least as many rows as columns, got " + a.name() + " "
                    + a.rows() + "x" + a.cols() + " (use qr for a wide matrix)");
        }
        int n = a.gridRows();
        int levels = treeLevels(n);
        BlockMatrix r = BlockMatrix.builder(a.store(), namespace, "R").shape(a.cols(), a.cols())
                .blockShape(a.blockCols(), a.blockCols()).create();
        BlockMatrix w = intermediate(a, namespace, "W", Math.max(1, levels)).anyBlockShapes().create();
        BlockMatrix v = intermediate(a, namespace, "V", levels + 1).anyBlockShapes().create();
        BlockMatrix t = intermediate(a, namespace, "T", levels + 1).anyBlockShapes().create();
        BoundProgram p = Program.builtin("tsqr").bind(Program.ints("N", n),
                matrices("A", a, "R", r, "W", w, "V", v, "T", t));
        return new Job(p, Map.of("R", r), List.of(w, v, t));
    }

    /**
     * The R of A = Q·R by tiled communication-avoiding QR (a TSQR tree per block column), for a
     * tall, square or wide {@code a} with square blocks. Output "R": min(m, n) x n in A's
     * blocks, upper triangular; its blocks below the block diagonal are zero by its structure
     * and are not stored. Q is not formed.
     */
    public static Job qr(BlockMatrix a, String namespace) {
        if (a.gridRank() != 2) {
            throw new IllegalArgumentException("qr needs a 2-D block grid, got " + a);
        }
        if (a.blockRows() != a.blockCols()) {
            throw new IllegalArgumentException("qr needs square blocks, got " + a.name() + " with blocks "
                    + a.blockRows() + "x" + a.blockCols());
        }
        int n = a.gridRows();
        int m = a.gridCols();
        int panels = Math.min(n, m);
        int levels = treeLevels(n);
        BlockMatrix r = BlockMatrix.builder(a.store(), namespace, "R").shape(Math.min(a.rows(), a.cols()), a.cols())
                .blockSize(a.blockRows()).structure(BlockMatrix.Structure.UPPER_TRIANGULAR).create();
        BlockMatrix s = intermediate(a, namespace, "S", panels).create();
        BlockMatrix w = intermediate(a, namespace, "W", panels, Math.max(1, levels)).anyBlockShapes().create();
        BlockMatrix v = intermediate(a, namespace, "V", panels, levels + 1).anyBlockShapes().create();
        BlockMatrix t = intermediate(a, namespace, "T", panels, levels + 1).anyBlockShapes().create();
        BoundProgram p = Program.builtin("qr").bind(Program.ints("N", n, "M", m),
                matrices("A", a, "R", r, "S", s, "W", w, "V", v, "T", t));
        return new Job(p, Map.of("R", r), List.of(s, w, v, t));
    }

    /**
     * Block-bidiagonal reduction A = Q·B·Pᵀ (numpywren's BDFAC), the first stage of an SVD:
     * B has A's singular values. {@code a} must be square with square blocks. Output "B", in
     * A's blocks: only its diagonal blocks (upper triangular) and superdiagonal blocks (lower
     * triangular) are stored, every other block is zero by its structure. {@link #bandStorage} packs it for
     * the {@code band_singular_values} kernel. Q and P are not formed.
     */
    public static Job bdfac(BlockMatrix a, String namespace) {
        if (a.gridRank() != 2) {
            throw new IllegalArgumentException("bdfac needs a 2-D block grid, got " + a);
        }
        if (a.rows() != a.cols() || a.blockRows() != a.blockCols()) {
            throw new IllegalArgumentException("bdfac supports only a square matrix with square blocks (N == M block"
                    + " rows and columns), got " + a.name() + " " + a.rows() + "x" + a.cols() + " in "
                    + a.blockRows() + "x" + a.blockCols() + " blocks");
        }
        int n = a.gridRows();
        int qrLevels = treeLevels(n);
        int lqLevels = treeLevels(n - 1);
        BlockMatrix b = like(a, namespace, "B").structure(BlockMatrix.Structure.UPPER_BLOCK_BIDIAGONAL).create();
        BlockMatrix s = intermediate(a, namespace, "S", n).create();
        BlockMatrix w = intermediate(a, namespace, "W", n, Math.max(1, qrLevels)).create();
        BlockMatrix y = like(a, namespace, "Y").create();
        BlockMatrix h = intermediate(a, namespace, "H", n).create();
        BlockMatrix z = intermediate(a, namespace, "Z", n, Math.max(1, lqLevels)).create();
        BlockMatrix vq = intermediate(a, namespace, "VQ", n, qrLevels + 1).anyBlockShapes().create();
        BlockMatrix tq = intermediate(a, namespace, "TQ", n, qrLevels + 1).anyBlockShapes().create();
        BlockMatrix vl = intermediate(a, namespace, "VL", n, lqLevels + 1).anyBlockShapes().create();
        BlockMatrix tl = intermediate(a, namespace, "TL", n, lqLevels + 1).anyBlockShapes().create();
        BoundProgram p = Program.builtin("bdfac").bind(Program.ints("N", n), matrices("A", a, "B", b, "S", s,
                "W", w, "Y", y, "H", h, "Z", z, "VQ", vq, "TQ", tq, "VL", vl, "TL", tl));
        return new Job(p, Map.of("B", b), List.of(s, w, y, h, z, vq, tq, vl, tl));
    }

    /**
     * LAPACK band storage ((b+1) x n, b = the block size) of an upper block-bidiagonal matrix
     * such as bdfac's B, assembled from its diagonal and superdiagonal blocks only: the other
     * blocks are never read, so they need not be stored, and the dense matrix is never formed.
     * A non-zero outside the band (below the diagonal of a diagonal block, or above the
     * diagonal of a superdiagonal block) is an error.
     */
    public static Block bandStorage(BlockMatrix upperBlockBidiagonal) {
        BlockMatrix m = upperBlockBidiagonal;
        if (m.gridRank() != 2 || m.rows() != m.cols() || m.blockRows() != m.blockCols()) {
            throw new IllegalArgumentException("band storage needs a square 2-D matrix with square blocks, got " + m);
        }
        if ((long) (m.blockRows() + 1) * m.cols() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the band storage of " + m + " is too large for one in-memory array");
        }
        int ku = m.blockRows();
        int n = (int) m.cols();
        Block ab = Block.zeros(ku + 1, n);
        for (int bj = 0; bj < m.gridRows(); bj++) {
            for (int bk = bj; bk <= Math.min(bj + 1, m.gridCols() - 1); bk++) {
                Block block = m.read(bj, bk);
                int row0 = bj * ku;
                int col0 = bk * ku;
                for (int q = 0; q < block.cols(); q++) {
                    for (int p = 0; p < block.rows(); p++) {
                        int i = row0 + p;
                        int j = col0 + q;
                        double value = block.get(p, q);
                        if (i <= j && j - i <= ku) {
                            ab.set(ku + i - j, j, value);
                        } else if (value != 0.0) {
                            throw new IllegalArgumentException("entry (" + i + "," + j + ") = " + value + " of "
                                    + m.name() + " lies outside the upper band of " + ku + " superdiagonals");
                        }
                    }
                }
            }
        }
        return ab;
    }

}

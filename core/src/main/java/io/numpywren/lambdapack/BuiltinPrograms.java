package io.numpywren.lambdapack;

import io.numpywren.matrix.BlockMatrix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in algorithms, bound to their inputs: each checks the inputs' shapes, allocates
 * its outputs and intermediates in the job's namespace and binds the program's parameters.
 */
public final class BuiltinPrograms {
    public static final List<String> NAMES = List.of("cholesky", "gemm", "trsm_forward", "trsm_backward");

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

    /** C = A·B: output "C". */
    public static Job gemm(BlockMatrix a, BlockMatrix b, String namespace) {
        if (a.cols() != b.rows() || a.blockCols() != b.blockRows()) {
            throw new IllegalArgumentException("gemm needs A's columns and column blocks to match B's rows and row blocks; "
                    + "got A " + a.rows() + "x" + a.cols() + " in " + a.blockRows() + "x" + a.blockCols() + " blocks and B "
                    + b.rows() + "x" + b.cols() + " in " + b.blockRows() + "x" + b.blockCols() + " blocks");
        }
        int k = a.gridCols();
        int levels = k <= 1 ? 1 : 64 - Long.numberOfLeadingZeros(k - 1L);
        BlockMatrix.Builder shape = BlockMatrix.builder(a.store(), namespace, "C").shape(a.rows(), b.cols())
                .blockShape(a.blockRows(), b.blockCols());
        BlockMatrix c = shape.create();
        BlockMatrix temp = BlockMatrix.builder(a.store(), namespace, "Temp").shape(a.rows(), b.cols())
                .blockShape(a.blockRows(), b.blockCols()).leadingGrid(levels, k).create();
        BoundProgram p = Program.builtin("gemm").bind(Program.ints("M", a.gridRows(), "N", b.gridCols(), "K", k),
                Map.of("A", a, "B", b, "C", c, "Temp", temp));
        return new Job(p, Map.of("C", c), List.of(temp));
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
}

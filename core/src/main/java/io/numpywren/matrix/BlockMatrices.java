package io.numpywren.matrix;

/** Whole-matrix operations on {@link BlockMatrix}: generation and dense import/export. */
public final class BlockMatrices {
    private BlockMatrices() {
    }

    /** Creates the matrix {@code target} describes and fills it from {@code generator}, block by block. */
    public static BlockMatrix generate(BlockMatrix.Builder target, MatrixGenerator generator) {
        BlockMatrix m = target.create();
        try {
            for (int bi = 0; bi < m.gridRows(); bi++) {
                for (int bj = 0; bj < m.gridCols(); bj++) {
                    Block b = generator.block((long) bi * m.blockRows(), (long) bj * m.blockCols(),
                            m.blockRowsAt(bi), m.blockColsAt(bj), m.rows(), m.cols());
                    m.handOver(b, bi, bj);
                }
            }
        } catch (RuntimeException e) {
            m.free(); // a half-generated matrix would look complete to a later open()
            throw e;
        }
        return m;
    }

    /** Creates a matrix shaped like {@code dense} and writes it as blocks. */
    public static BlockMatrix fromDense(Block dense, BlockMatrix.Builder target) {
        return generate(target.shape(dense.rows(), dense.cols()), new MatrixGenerator() {
            @Override
            public double value(long i, long j, long rows, long cols) {
                return dense.get((int) i, (int) j);
            }

            @Override
            public Block block(long r0, long c0, int nr, int nc, long rows, long cols) {
                return dense.slice((int) r0, (int) c0, nr, nc);
            }
        });
    }

    /** Reads a whole 2-D matrix into one dense block (it must fit in one Java array). */
    public static Block toDense(BlockMatrix m) {
        if (m.gridRank() != 2) {
            throw new IllegalArgumentException("matrix '" + m.name() + "' has a " + m.gridRank()
                    + "-D block grid; only 2-D matrices can be exported");
        }
        // rows > max / cols rather than rows * cols > max, which can overflow a long
        if (m.rows() > (Integer.MAX_VALUE - 8) / m.cols()) {
            throw new IllegalArgumentException("matrix '" + m.name() + "' (" + m.rows() + "x" + m.cols()
                    + ") is too large for one in-memory array; export it to .npy instead");
        }
        Block dense = Block.zeros((int) m.rows(), (int) m.cols());
        for (int bi = 0; bi < m.gridRows(); bi++) {
            for (int bj = 0; bj < m.gridCols(); bj++) {
                dense.paste(m.read(bi, bj), bi * m.blockRows(), bj * m.blockCols());
            }
        }
        return dense;
    }
}

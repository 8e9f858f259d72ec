package io.numpywren.lambdapack;

import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;

/** Small inputs for the built-in algorithms. */
final class AlgorithmFixtures {
    private AlgorithmFixtures() {
    }

    static BlockMatrix spd(BlockStore store, String name, long n, int block) {
        return BlockMatrices.generate(BlockMatrix.builder(store, "in", name).shape(n, n).blockSize(block),
                MatrixGenerator.spd(n));
    }

    static BlockMatrix random(BlockStore store, String name, long rows, long cols, int blockRows, int blockCols) {
        return BlockMatrices.generate(BlockMatrix.builder(store, "in", name).shape(rows, cols)
                .blockShape(blockRows, blockCols), MatrixGenerator.random(rows * 7919 + cols));
    }

    /** A bound Cholesky over N x N blocks of size 1 (the validator only needs the grid). */
    static BuiltinPrograms.Job cholesky(int blocks) {
        BlockStore store = new InMemoryBlockStore();
        return BuiltinPrograms.cholesky(spd(store, "A", blocks, 1), "job");
    }

    /** Number of single-input adds (odd ones carried up a level) in a binary reduction tree over k leaves. */
    static int treeCarries(int k) {
        int carries = 0;
        int width = k;
        while (width > 2) {
            carries += width % 2;
            width = (width + 1) / 2;
        }
        return carries;
    }
}

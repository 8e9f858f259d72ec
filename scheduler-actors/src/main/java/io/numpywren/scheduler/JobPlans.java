package io.numpywren.scheduler;

import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.InMemoryBlockStore;

/** Built-in jobs over header-only placeholders: their DAG, to count or plan, with no block written. */
public final class JobPlans {
    private JobPlans() {
    }

    /**
     * The plan of built-in {@code algorithm} ({@code gemm}, {@code cholesky}, {@code tsqr}, {@code qr},
     * {@code svd}, {@code solve}) on a rows x cols matrix in blockSize blocks; gemm multiplies it by
     * its transpose's shape, rows x cols times cols x rows.
     */
    public static JobPlan builtin(String algorithm, long rows, long cols, int blockSize, int workers,
                                  long workerMemoryBytes) {
        InMemoryBlockStore scratch = new InMemoryBlockStore("planning");
        BlockMatrix a = BlockMatrix.builder(scratch, "planning", "A").shape(rows, cols).blockSize(blockSize).create();
        BuiltinPrograms.Job job = switch (algorithm) {
            case "gemm" -> {
                BlockMatrix b = BlockMatrix.builder(scratch, "planning", "B").shape(cols, rows).blockSize(blockSize).create();
                yield BuiltinPrograms.plannedGemm(a, b, "planning/job", workers, workerMemoryBytes);
            }
            case "cholesky", "solve" -> BuiltinPrograms.cholesky(a, "planning/job");
            case "tsqr" -> BuiltinPrograms.tsqr(a, "planning/job");
            case "qr" -> BuiltinPrograms.qr(a, "planning/job");
            case "svd" -> BuiltinPrograms.bdfac(a, "planning/job");
            default -> throw new IllegalArgumentException("no built-in algorithm '" + algorithm
                    + "' (gemm, cholesky, tsqr, qr, svd, solve)");
        };
        return new JobPlan("planning", algorithm, "planning/job", job.program(), job.outputs(), job.intermediates());
    }
}

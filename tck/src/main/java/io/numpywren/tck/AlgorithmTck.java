package io.numpywren.tck;

import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.Program;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobProgress;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.BlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import static io.numpywren.tck.TckJobs.EPS;
import static io.numpywren.tck.TckJobs.dense;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every algorithm end to end through {@link Numpywren}, the scheduler's actors and the
 * provider's backend, checked against the mathematics: gemm, cholesky, tsqr, qr, svd, solve
 * and a user's own LAmbdaPACK program, on block-aligned and ragged shapes. After each job the
 * job's namespace holds nothing but its outputs, and the inputs are byte-identical.
 *
 * <p>A provider implements {@link #newBackend(BlockStore)}, and overrides {@link #newStore()}
 * to run against its own store. Each test gets a fresh store, backend and {@code Numpywren},
 * closed after it.
 */
public abstract class AlgorithmTck extends NumpywrenSuite {

    /** Nothing but the result's outputs is left in the job area; then the outputs are freed too. */
    private void onlyOutputsRemainThenFree(JobResult r) {
        TckJobs.assertOnlyOutputsRemain(nw.store(), jobsRoot(), r.outputs().values());
        TckJobs.free(r);
        assertThat(nw.store().list(jobsRoot())).as("job area after freeing the outputs").isEmpty();
    }

    // ---------------------------------------------------------------- gemm

    @ParameterizedTest(name = "{0}x{1} times {1}x{2} in {3}-blocks")
    @CsvSource({
            "48, 48, 48, 16",   // block-aligned
            "40, 70, 30, 16",   // ragged in every dimension
            "13, 9, 11, 16",    // a single (ragged) block
            "20, 100, 10, 8",   // a long inner dimension: a deep reduction tree
    })
    public void gemmMultiplies(int m, int k, int n, int block) {
        BlockMatrix a = nw.random("A", m, k, block, 11);
        BlockMatrix b = nw.random("B", k, n, block, 12);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        JobResult r = await(nw.gemm(a, b));

        TckJobs.checkProduct(a, b, r.output("C"));
        assertThat(r.report().algorithm()).isEqualTo("gemm");
        assertThat(r.report().flops()).as("flops").isGreaterThanOrEqualTo(2L * m * n * k);
        inputs.assertUnchanged();
        onlyOutputsRemainThenFree(r);
    }

    // ---------------------------------------------------------------- cholesky

    @ParameterizedTest(name = "n = {0} in {1}-blocks")
    @CsvSource({"48, 16", "70, 16", "9, 16", "100, 12"})
    public void choleskyFactors(int n, int block) {
        BlockMatrix a = nw.randomSpd("A", n, block, 3);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.cholesky(a));

        TckJobs.checkCholesky(a, r.output("L"));
        inputs.assertUnchanged();
        onlyOutputsRemainThenFree(r);
    }

    @Test
    public void aJobReportsWhatItDidAndItsProgress() {
        BlockMatrix a = nw.randomSpd("A", 70, 16, 3);
        List<JobProgress> seen = Collections.synchronizedList(new ArrayList<>());

        JobResult r = await(nw.cholesky(a, seen::add));

        int blocks = 5; // ceil(70 / 16)
        long tasks = blocks + blocks * (blocks - 1) / 2 + (long) (blocks - 1) * blocks * (blocks + 1) / 6;
        assertThat(r.report().tasks()).as("chol + trsm + syrk tasks").isEqualTo(tasks);
        assertThat(r.report().flops()).as("flops").isGreaterThan(70L * 70 * 70 / 3);
        assertThat(r.report().bytesRead()).as("bytes read").isPositive();
        assertThat(r.report().bytesWritten()).as("bytes written").isGreaterThanOrEqualTo(8L * 70 * 71 / 2);
        assertThat(r.report().kernelProviders()).as("kernel providers the workers reported").isNotEmpty();
        assertThat(r.report().workerSecondsBusy()).as("worker seconds busy").isPositive();
        assertThat(r.report().backend()).as("backend").isEqualTo(nw.backend().name());
        assertThat(r.report().peakIntermediateBlocks()).as("peak intermediate blocks").isPositive();
        assertThat(seen).as("progress events").isNotEmpty();
        JobProgress last = seen.get(seen.size() - 1);
        assertThat(last.jobId()).isEqualTo(r.report().jobId());
        assertThat(last.tasksDone()).isEqualTo(tasks);
        assertThat(last.tasksTotal()).isEqualTo(tasks);
        for (int i = 1; i < seen.size(); i++) {
            assertThat(seen.get(i).tasksDone()).as("tasks done never decreases").isGreaterThanOrEqualTo(
                    seen.get(i - 1).tasksDone());
        }
        onlyOutputsRemainThenFree(r);
    }

    // ---------------------------------------------------------------- QR

    @ParameterizedTest(name = "{0}x{1} in {2}-blocks")
    @CsvSource({"100, 12, 16", "64, 16, 16", "37, 5, 8", "12, 12, 16"})
    public void tsqrGivesAnRWhoseGramMatrixIsAᵀA(int m, int n, int block) {
        BlockMatrix a = nw.random("A", m, n, block, 4); // n <= block: one block column
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.tsqr(a));

        TckJobs.checkR(a, r.output("R"));
        inputs.assertUnchanged();
        onlyOutputsRemainThenFree(r);
    }

    @ParameterizedTest(name = "{0}x{1} in {2}-blocks")
    @CsvSource({
            "48, 32, 16",   // tall, block-aligned
            "45, 30, 8",    // tall, ragged
            "30, 45, 8",    // wide, ragged
            "40, 40, 16",   // square, ragged
    })
    public void qrGivesAnRWhoseGramMatrixIsAᵀA(int m, int n, int block) {
        BlockMatrix a = nw.random("A", m, n, block, 5);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.qr(a));

        TckJobs.checkR(a, r.output("R"));
        inputs.assertUnchanged();
        onlyOutputsRemainThenFree(r);
    }

    // ---------------------------------------------------------------- SVD

    @ParameterizedTest(name = "n = {0} in {1}-blocks")
    @CsvSource({"32, 8", "37, 8", "50, 16"})
    public void svdFindsTheSingularValuesOfLapack(int n, int block) {
        BlockMatrix a = nw.random("A", n, n, block, 6);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        JobResult r = await(nw.svd(a));

        TckJobs.checkSingularValues(a, r.singularValues(), nw.driverKernels());
        assertThat(r.outputs()).as("an SVD keeps no matrix").isEmpty();
        inputs.assertUnchanged();
        assertThat(nw.store().list(jobsRoot())).as("job area after an SVD").isEmpty();
    }

    // ---------------------------------------------------------------- solve

    @ParameterizedTest(name = "n = {0}, {1} right-hand sides, {2}-blocks")
    @CsvSource({"48, 16, 16", "50, 3, 16", "70, 20, 12"})
    public void solveSolvesAnSpdSystem(int n, int rhs, int block) {
        BlockMatrix a = nw.randomSpd("A", n, block, 7);
        BlockMatrix b = nw.random("B", n, rhs, block, 8);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        JobResult r = await(nw.solve(a, b));

        TckJobs.checkSolution(a, b, r.output("X"));
        assertThat(r.report().algorithm()).isEqualTo("solve");
        assertThat(r.report().tasks()).as("cholesky, forward and backward substitution tasks")
                .isGreaterThan((long) ((n + block - 1) / block));
        inputs.assertUnchanged();
        onlyOutputsRemainThenFree(r);
    }

    // ---------------------------------------------------------------- several jobs at once

    @Test
    public void concurrentJobsDoNotDisturbEachOther() {
        BlockMatrix spd = nw.randomSpd("S", 64, 16, 21);
        BlockMatrix a = nw.random("A", 48, 40, 16, 22);
        BlockMatrix b = nw.random("B", 40, 56, 16, 23);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), spd, a, b);

        CompletionStage<JobResult> chol = nw.cholesky(spd);
        CompletionStage<JobResult> gemm = nw.gemm(a, b);
        CompletionStage<JobResult> qr = nw.qr(a);
        JobResult c = await(chol);
        JobResult g = await(gemm);
        JobResult q = await(qr);

        assertThat(List.of(c.report().jobId(), g.report().jobId(), q.report().jobId())).doesNotHaveDuplicates();
        TckJobs.checkCholesky(spd, c.output("L"));
        TckJobs.checkProduct(a, b, g.output("C"));
        TckJobs.checkR(a, q.output("R"));
        inputs.assertUnchanged();
        List<BlockMatrix> outputs = new ArrayList<>(c.outputs().values());
        outputs.addAll(g.outputs().values());
        outputs.addAll(q.outputs().values());
        TckJobs.assertOnlyOutputsRemain(nw.store(), jobsRoot(), outputs);
    }

    // ---------------------------------------------------------------- a user's program

    @Test
    public void aUsersOwnProgramRunsWithItsIntermediatesRemoved() {
        // Triples A blockwise through an intermediate: T = 2A (intermediate), C = T + A.
        Program program = Program.parse("triple.lp", """
                def triple(A: BigMatrix, T: BigMatrix, C: BigMatrix, N: int):
                    for i in range(0, N):
                        for j in range(0, N):
                            T[i, j] = scale(A[i, j], alpha=2.0)
                            C[i, j] = add(T[i, j], A[i, j])
                """);
        BlockMatrix a = nw.random("A", 30, 30, 8, 9);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);
        String ns = nw.newJobNamespace("triple-" + UUID.randomUUID().toString().substring(0, 8));
        BlockMatrix t = BlockMatrix.builder(nw.store(), ns, "T").shape(30, 30).blockSize(8).create();
        BlockMatrix c = BlockMatrix.builder(nw.store(), ns, "C").shape(30, 30).blockSize(8).create();
        BoundProgram bound = program.bind(Map.of("N", 4L), Map.of("A", a, "T", t, "C", c));

        JobResult r = await(nw.run(bound, List.of(t), p -> { }));

        Block expected = dense(a).copy();
        for (int i = 0; i < expected.data().length; i++) {
            expected.data()[i] *= 3;
        }
        Block got = dense(r.output("C"));
        assertThat(TckJobs.norm(TckJobs.minus(got, expected)) / TckJobs.norm(expected)).isLessThan(4 * EPS);
        assertThat(r.report().tasks()).isEqualTo(32);
        assertThat(r.outputs()).containsOnlyKeys("C");
        assertThat(nw.store().list(ns + "/T/")).as("the intermediate T").isEmpty();
        inputs.assertUnchanged();
        onlyOutputsRemainThenFree(r);
    }
}

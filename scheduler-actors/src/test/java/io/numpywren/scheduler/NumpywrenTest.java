package io.numpywren.scheduler;

import com.typesafe.config.ConfigFactory;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.Kernels;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every algorithm end to end through the API, the actors and the local backend, checked against the mathematics. */
class NumpywrenTest {
    private static final double EPS = Math.ulp(1.0);
    private static Numpywren nw;

    @BeforeAll
    static void start() {
        nw = Numpywren.create(ConfigFactory.parseString("numpywren.backends.local.workers = 2"));
    }

    @AfterAll
    static void stop() {
        nw.close();
    }

    private static JobResult await(java.util.concurrent.CompletionStage<JobResult> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static Block multiply(Block a, Block b) {
        Block c = Block.zeros(a.rows(), b.cols());
        nw.driverKernels().dgemm(false, false, a.rows(), b.cols(), a.cols(), 1.0, a.data(), 0, a.rows(), b.data(), 0,
                b.rows(), 0.0, c.data(), 0, c.rows());
        return c;
    }

    private static double relative(Block x, Block y) {
        Block d = x.copy();
        for (int i = 0; i < d.data().length; i++) {
            d.data()[i] -= y.data()[i];
        }
        return d.frobeniusNorm() / y.frobeniusNorm();
    }

    /** No block of the job's namespace is left but the outputs'. */
    private static void onlyOutputsRemain(JobResult r) {
        String ns = r.outputs().values().iterator().next().namespace();
        List<String> prefixes = new ArrayList<>();
        r.outputs().values().forEach(m -> prefixes.add(m.prefix()));
        assertThat(nw.store().list(ns + "/")).allMatch(k -> prefixes.stream().anyMatch(k::startsWith));
    }

    @Test
    void choleskyFactorsARaggedMatrixAndReportsWhatItDid() throws Exception {
        BlockMatrix a = nw.randomSpd("chol-A", 70, 16, 3);
        List<JobProgress> seen = new ArrayList<>();
        JobResult r = await(nw.cholesky(a, seen::add));
        Block l = BlockMatrices.toDense(r.output("L"));
        assertThat(relative(multiply(l, l.transpose()), BlockMatrices.toDense(a))).isLessThan(10 * 70 * EPS);
        assertThat(r.report().tasks()).isEqualTo(5 + 10 + 20);
        assertThat(r.report().flops()).isGreaterThan(70L * 70 * 70 / 3);
        assertThat(r.report().kernelProviders()).isNotEmpty();
        assertThat(r.report().workerSecondsBusy()).isPositive();
        assertThat(r.report().backend()).isEqualTo("local");
        assertThat(seen).isNotEmpty();
        assertThat(seen.get(seen.size() - 1).tasksDone()).isEqualTo(35);
        onlyOutputsRemain(r);
    }

    @Test
    void gemmMultiplies() throws Exception {
        BlockMatrix a = nw.random("gemm-A", 40, 70, 16, 1);
        BlockMatrix b = nw.random("gemm-B", 70, 30, 16, 2);
        JobResult r = await(nw.gemm(a, b));
        Block expected = multiply(BlockMatrices.toDense(a), BlockMatrices.toDense(b));
        assertThat(relative(BlockMatrices.toDense(r.output("C")), expected)).isLessThan(10 * 70 * EPS);
        onlyOutputsRemain(r);
    }

    private static void checkR(BlockMatrix a, Block r) {
        Block ad = BlockMatrices.toDense(a);
        Block ata = multiply(ad.transpose(), ad);
        Block rtr = multiply(r.transpose(), r);
        assertThat(relative(rtr, ata)).isLessThan(100 * ad.rows() * EPS);
    }

    @Test
    void tsqrAndQrGiveAnRWhoseGramMatrixIsAᵀA() throws Exception {
        BlockMatrix tall = nw.random("tsqr-A", 100, 12, 16, 4);
        JobResult t = await(nw.tsqr(tall));
        checkR(tall, BlockMatrices.toDense(t.output("R")));
        onlyOutputsRemain(t);

        BlockMatrix a = nw.random("qr-A", 45, 30, 8, 5);
        JobResult q = await(nw.qr(a));
        checkR(a, BlockMatrices.toDense(q.output("R")));
        onlyOutputsRemain(q);
    }

    @Test
    void svdFindsTheSingularValuesOfLapack() throws Exception {
        BlockMatrix a = nw.random("svd-A", 37, 37, 8, 6);
        JobResult r = await(nw.svd(a));
        double[] expected = Kernels.get("singular_values").run(nw.driverKernels(), List.of(BlockMatrices.toDense(a)),
                KernelArgs.NONE).get(0).data();
        assertThat(r.singularValues()).hasSize(37);
        for (int i = 0; i < 37; i++) {
            assertThat(Math.abs(r.singularValues()[i] - expected[i])).isLessThan(100 * 37 * EPS * expected[0]);
        }
        assertThat(nw.store().list(nw.newJobNamespace(r.report().jobId()) + "/")).isEmpty();
    }

    @Test
    void solveSolvesAnSpdSystem() throws Exception {
        BlockMatrix a = nw.randomSpd("solve-A", 50, 16, 7);
        BlockMatrix b = nw.random("solve-B", 50, 3, 16, 8);
        JobResult r = await(nw.solve(a, b));
        Block x = BlockMatrices.toDense(r.output("X"));
        assertThat(relative(multiply(BlockMatrices.toDense(a), x), BlockMatrices.toDense(b))).isLessThan(100 * 50 * EPS);
        assertThat(r.report().tasks()).isGreaterThan(20);
        onlyOutputsRemain(r);
    }

    @Test
    void aNonSpdInputFailsWithAMessageNamingTheStepAndLeavesTheInputAlone() throws Exception {
        Block dense = Block.identity(32, 32);
        dense.set(20, 20, -1.0);
        BlockMatrix a = BlockMatrices.fromDense(dense, BlockMatrix.builder(nw.store(), "numpywren/data", "bad")
                .blockSize(8).replaceExisting(true));
        assertThatThrownBy(() -> nw.cholesky(a).toCompletableFuture().join())
                .isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(JobFailedException.class)
                .hasMessageContaining("cholesky failed at step O[i,i] = chol(S[i,i,i]) at i=2")
                .hasMessageContaining("not positive definite");
        assertThat(BlockMatrices.toDense(a)).isEqualTo(dense);
        assertThat(nw.store().list("numpywren/jobs/")).noneMatch(k -> k.contains("cholesky-") && k.contains("/S/"));
    }

    @Test
    void aUsersOwnProgramRunsWithItsIntermediatesRemoved() throws Exception {
        // Doubles A blockwise through an intermediate: T = 2A (intermediate), C = T + A.
        io.numpywren.lambdapack.Program program = io.numpywren.lambdapack.Program.parse("triple.lp", """
                def triple(A: BigMatrix, T: BigMatrix, C: BigMatrix, N: int):
                    for i in range(0, N):
                        for j in range(0, N):
                            T[i, j] = scale(A[i, j], alpha=2.0)
                            C[i, j] = add(T[i, j], A[i, j])
                """);
        BlockMatrix a = nw.random("user-A", 30, 30, 8, 9);
        String ns = nw.newJobNamespace("triple-test");
        BlockMatrix t = BlockMatrix.builder(nw.store(), ns, "T").shape(30, 30).blockSize(8).create();
        BlockMatrix c = BlockMatrix.builder(nw.store(), ns, "C").shape(30, 30).blockSize(8).create();
        io.numpywren.lambdapack.BoundProgram bound = program.bind(java.util.Map.of("N", 4L),
                java.util.Map.of("A", a, "T", t, "C", c));
        JobResult r = await(nw.run(bound, List.of(t), p -> { }));
        Block expected = BlockMatrices.toDense(a).copy();
        for (int i = 0; i < expected.data().length; i++) {
            expected.data()[i] *= 3;
        }
        assertThat(relative(BlockMatrices.toDense(r.output("C")), expected)).isLessThan(4 * EPS);
        assertThat(r.report().tasks()).isEqualTo(32);
        assertThat(nw.store().list(ns + "/T/")).isEmpty();
    }
}

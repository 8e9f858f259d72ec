package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.scheduler.JobFailedException;
import io.numpywren.scheduler.JobResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inputs no algorithm can work with fail fast and clearly, on the provider's backend: a matrix
 * that is not positive definite, NaN and infinities, shapes that do not fit together, and a
 * missing input block. Each fails within a bounded time with a {@link JobFailedException} or
 * an {@link IllegalArgumentException} whose message names what was wrong, leaves the inputs
 * byte-identical and leaves nothing in the job area (no intermediate, no partial output).
 */
public abstract class BadInputTck extends NumpywrenSuite {

    /** A namespace of its own per test (see {@link NumpywrenSuite#config()}) and quick retries (a bad input must not be retried at length). */
    @Override
    protected Config config() {
        return ConfigFactory.parseString("numpywren.scheduler.retry.initial-backoff = 10ms").withFallback(super.config());
    }

    /** The bound on how long a bad job may take to fail: {@link #jobTimeout()}. */
    protected Duration failureTimeout() {
        return jobTimeout();
    }

    /**
     * Runs {@code call}, which must fail with a JobFailedException or an
     * IllegalArgumentException; checks the inputs and the job area afterwards.
     */
    private Throwable fails(Supplier<? extends CompletionStage<JobResult>> call, TckJobs.Snapshot inputs) {
        Throwable failure = TckJobs.failureOf(call, failureTimeout());
        assertThat(failure).as("the error").isInstanceOfAny(JobFailedException.class, IllegalArgumentException.class);
        inputs.assertUnchanged();
        assertThat(nw.store().list(jobsRoot())).as("objects left in the job area").isEmpty();
        return failure;
    }

    /** A rows x cols matrix of {@code values}, in {@code block}-blocks. */
    private BlockMatrix matrix(String name, long rows, long cols, int block, MatrixGenerator values) {
        return nw.generate(name, rows, cols, block, values);
    }

    /** An SPD matrix but for one entry. */
    private static MatrixGenerator spdExcept(long row, long col, double value) {
        MatrixGenerator spd = MatrixGenerator.spd(31);
        return (i, j, rows, cols) -> (i == row && j == col) ? value : spd.value(i, j, rows, cols);
    }

    private static MatrixGenerator randomExcept(long row, long col, double value) {
        MatrixGenerator random = MatrixGenerator.random(32);
        return (i, j, rows, cols) -> (i == row && j == col) ? value : random.value(i, j, rows, cols);
    }

    // ---------------------------------------------------------------- numerically impossible

    @Test
    public void choleskyOfAMatrixThatIsNotPositiveDefinite() {
        // The identity with a negative entry on the diagonal, in a ragged grid: symmetric, indefinite.
        BlockMatrix a = matrix("A", 44, 44, 8, (i, j, r, c) -> i == j ? (i == 20 ? -1.0 : 1.0) : 0.0);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.cholesky(a), inputs);

        // It names the step (the diagonal block of block row 2 holds the negative entry) and the cause.
        assertThat(failure).isInstanceOf(JobFailedException.class)
                .hasMessageContaining("cholesky failed at step O[i,i] = chol(S[i,i,i]) at i=2")
                .hasMessageContaining("not positive definite");
    }

    @Test
    public void solveWithAMatrixThatIsNotPositiveDefinite() {
        BlockMatrix a = matrix("A", 40, 40, 16, spdExcept(33, 33, -1e3));
        BlockMatrix b = nw.random("B", 40, 2, 16, 33);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.solve(a, b), inputs);

        assertThat(failure).isInstanceOf(JobFailedException.class).hasMessageContaining("not positive definite");
    }

    // ---------------------------------------------------------------- NaN and infinities

    @Test
    public void gemmWithANaN() {
        BlockMatrix a = matrix("A", 40, 36, 16, randomExcept(17, 35, Double.NaN));
        BlockMatrix b = nw.random("B", 36, 20, 16, 34);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.gemm(a, b), inputs);

        assertThat(failure).hasMessageContaining("non-finite").hasMessageContaining("NaN");
    }

    @Test
    public void choleskyWithAnInfinity() {
        BlockMatrix a = matrix("A", 48, 48, 16, spdExcept(40, 9, Double.POSITIVE_INFINITY));
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.cholesky(a), inputs);

        assertThat(failure).hasMessageContaining("non-finite").hasMessageContaining("Infinity");
    }

    @Test
    public void qrWithANegativeInfinity() {
        BlockMatrix a = matrix("A", 45, 30, 8, randomExcept(44, 29, Double.NEGATIVE_INFINITY));
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.qr(a), inputs);

        assertThat(failure).hasMessageContaining("non-finite").hasMessageContaining("-Infinity");
    }

    @Test
    public void svdWithANaN() {
        BlockMatrix a = matrix("A", 32, 32, 8, randomExcept(0, 31, Double.NaN));
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.svd(a), inputs);

        assertThat(failure).hasMessageContaining("non-finite");
    }

    @Test
    public void solveWithANaNOnTheRightHandSide() {
        // The Cholesky factorisation succeeds; the substitution then meets the NaN.
        BlockMatrix a = nw.randomSpd("A", 48, 16, 35);
        BlockMatrix b = matrix("B", 48, 4, 16, randomExcept(30, 2, Double.NaN));
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.solve(a, b), inputs);

        assertThat(failure).hasMessageContaining("non-finite");
    }

    @Test
    public void svdOfAMatrixWhoseSingularValuesOverflow() {
        // The largest singular value exceeds Double.MAX_VALUE: an error, not infinite values.
        MatrixGenerator random = MatrixGenerator.random(46);
        BlockMatrix a = matrix("A", 32, 32, 8, (i, j, r, c) -> 1.7e308 * random.value(i, j, r, c));
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.svd(a), inputs);

        assertThat(failure).hasMessageContaining("non-finite");
    }

    // ---------------------------------------------------------------- shapes

    @Test
    public void gemmWhoseInnerDimensionsDiffer() {
        BlockMatrix a = nw.random("A", 40, 30, 10, 36);
        BlockMatrix b = nw.random("B", 20, 30, 10, 37);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.gemm(a, b), inputs);

        assertThat(failure).hasMessageContaining("40x30").hasMessageContaining("20x30");
    }

    @Test
    public void solveWithARightHandSideOfTheWrongHeight() {
        BlockMatrix a = nw.randomSpd("A", 48, 16, 38);
        BlockMatrix b = nw.random("B", 40, 3, 16, 39);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.solve(a, b), inputs);

        assertThat(failure).hasMessageContaining("48x48").hasMessageContaining("40x3");
    }

    @Test
    public void choleskyOfANonSquareMatrix() {
        BlockMatrix a = nw.random("A", 48, 32, 16, 40);
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.cholesky(a), inputs);

        assertThat(failure).hasMessageContaining("square").hasMessageContaining("48x32");
    }

    // ---------------------------------------------------------------- missing blocks

    @Test
    public void choleskyWithAMissingBlock() {
        BlockMatrix a = nw.randomSpd("A", 64, 16, 41);
        String missing = a.key(2, 1);
        assertThat(a.delete(2, 1)).as("deleting %s", missing).isTrue();
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a);

        Throwable failure = fails(() -> nw.cholesky(a), inputs);

        assertThat(failure).isInstanceOf(JobFailedException.class).hasMessageContaining(missing);
    }

    @Test
    public void gemmWithAMissingBlock() {
        BlockMatrix a = nw.random("A", 48, 48, 16, 42);
        BlockMatrix b = nw.random("B", 48, 24, 16, 43);
        String missing = b.key(1, 1);
        assertThat(b.delete(1, 1)).as("deleting %s", missing).isTrue();
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.gemm(a, b), inputs);

        assertThat(failure).isInstanceOf(JobFailedException.class).hasMessageContaining(missing);
    }

    @Test
    public void solveWithAMissingBlockOnTheRightHandSide() {
        BlockMatrix a = nw.randomSpd("A", 48, 16, 44);
        BlockMatrix b = nw.random("B", 48, 20, 16, 45);
        String missing = b.key(2, 1);
        assertThat(b.delete(2, 1)).as("deleting %s", missing).isTrue();
        TckJobs.Snapshot inputs = TckJobs.snapshot(nw.store(), a, b);

        Throwable failure = fails(() -> nw.solve(a, b), inputs);

        assertThat(failure).isInstanceOf(JobFailedException.class).hasMessageContaining(missing);
    }
}

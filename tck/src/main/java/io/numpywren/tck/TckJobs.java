package io.numpywren.tck;

import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.Kernels;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobProgress;
import io.numpywren.scheduler.JobResult;
import io.numpywren.storage.BlockStore;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the algorithm, fault and bad-input suites share: reference mathematics written in plain
 * Java (independent of the kernel provider under test), snapshots of stored inputs, and checks
 * that a job left nothing behind.
 */
final class TckJobs {
    static final double EPS = Math.ulp(1.0);

    private TckJobs() {
    }

    // ---------------------------------------------------------------- waiting

    /** The job's result, waiting at most {@code timeout}; a failed job fails the test with its cause. */
    static JobResult await(CompletionStage<JobResult> stage, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the job failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("the job did not finish within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * How a call that must fail failed: the exception it threw at once (a bad argument found
     * before submission), or the one its future completed with, waiting at most {@code timeout}.
     */
    static Throwable failureOf(Supplier<? extends CompletionStage<JobResult>> call, Duration timeout) {
        CompletableFuture<JobResult> future;
        try {
            future = call.get().toCompletableFuture();
        } catch (RuntimeException e) {
            return e;
        }
        try {
            JobResult r = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return fail("the job was expected to fail but succeeded: " + r.report());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause;
        } catch (TimeoutException e) {
            return fail("the job neither failed nor succeeded within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Records the id of every job (and sub-job) that reported progress, and the first one. */
    static final class JobIds implements Consumer<JobProgress> {
        final Set<String> all = ConcurrentHashMap.newKeySet();
        final CompletableFuture<String> first = new CompletableFuture<>();

        @Override
        public void accept(JobProgress p) {
            all.add(p.jobId());
            first.complete(p.jobId());
        }

        String awaitFirst(Duration timeout) {
            try {
                return first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("no progress event (and so no job id) within " + timeout, e);
            }
        }
    }

    // ---------------------------------------------------------------- reference mathematics

    static Block dense(BlockMatrix m) {
        return BlockMatrices.toDense(m);
    }

    /** a·b by the textbook triple loop. */
    static Block multiply(Block a, Block b) {
        if (a.cols() != b.rows()) {
            throw new IllegalArgumentException("cannot multiply " + a.shapeString() + " by " + b.shapeString());
        }
        Block c = Block.zeros(a.rows(), b.cols());
        double[] ad = a.data();
        double[] bd = b.data();
        double[] cd = c.data();
        int m = a.rows();
        int k = a.cols();
        for (int j = 0; j < b.cols(); j++) {
            for (int p = 0; p < k; p++) {
                double bpj = bd[p + j * k];
                if (bpj == 0.0) {
                    continue;
                }
                for (int i = 0; i < m; i++) {
                    cd[i + j * m] += ad[i + p * m] * bpj;
                }
            }
        }
        return c;
    }

    static Block minus(Block x, Block y) {
        assertThat(x.shapeString()).as("shape").isEqualTo(y.shapeString());
        Block d = x.copy();
        for (int i = 0; i < d.data().length; i++) {
            d.data()[i] -= y.data()[i];
        }
        return d;
    }

    static double norm(Block b) {
        return b.frobeniusNorm();
    }

    /** C = A·B: ‖C − AB‖ / (‖A‖‖B‖) within a tolerance that grows with the inner dimension. */
    static void checkProduct(BlockMatrix a, BlockMatrix b, BlockMatrix c) {
        Block ad = dense(a);
        Block bd = dense(b);
        Block cd = dense(c);
        assertThat(cd.rows()).as("rows of C").isEqualTo(ad.rows());
        assertThat(cd.cols()).as("columns of C").isEqualTo(bd.cols());
        double error = norm(minus(cd, multiply(ad, bd))) / (norm(ad) * norm(bd));
        assertThat(error).as("‖C − AB‖/(‖A‖‖B‖) for A %s, B %s", ad.shapeString(), bd.shapeString())
                .isLessThan(10.0 * ad.cols() * EPS);
    }

    /** A = L·Lᵀ with L lower triangular with a positive diagonal: ‖A − LLᵀ‖ / ‖A‖ small. */
    static void checkCholesky(BlockMatrix a, BlockMatrix l) {
        Block ad = dense(a);
        Block ld = dense(l);
        assertThat(ld.shapeString()).as("shape of L").isEqualTo(ad.shapeString());
        for (int j = 0; j < ld.cols(); j++) {
            assertThat(ld.get(j, j)).as("L[%d,%d]", j, j).isPositive();
            for (int i = 0; i < j; i++) {
                assertThat(ld.get(i, j)).as("L[%d,%d] above the diagonal", i, j).isZero();
            }
        }
        double error = norm(minus(ad, multiply(ld, ld.transpose()))) / norm(ad);
        assertThat(error).as("‖A − LLᵀ‖/‖A‖ for n = %d", ad.rows()).isLessThan(10.0 * ad.rows() * EPS);
    }

    /** The R of A = QR: upper triangular, and ‖AᵀA − RᵀR‖ / ‖A‖² small. */
    static void checkR(BlockMatrix a, BlockMatrix r) {
        Block ad = dense(a);
        Block rd = dense(r);
        assertThat(rd.cols()).as("columns of R").isEqualTo(ad.cols());
        assertThat(rd.rows()).as("rows of R").isEqualTo(Math.min(ad.rows(), ad.cols()));
        for (int j = 0; j < rd.cols(); j++) {
            for (int i = j + 1; i < rd.rows(); i++) {
                assertThat(rd.get(i, j)).as("R[%d,%d] below the diagonal", i, j).isZero();
            }
        }
        Block ata = multiply(ad.transpose(), ad);
        Block rtr = multiply(rd.transpose(), rd);
        double a2 = norm(ad) * norm(ad);
        double error = norm(minus(ata, rtr)) / a2;
        assertThat(error).as("‖AᵀA − RᵀR‖/‖A‖² for A %s", ad.shapeString())
                .isLessThan(100.0 * Math.max(ad.rows(), ad.cols()) * EPS);
    }

    /** Singular values, descending, against LAPACK's on the dense matrix. */
    static void checkSingularValues(BlockMatrix a, double[] values, LinearAlgebra la) {
        Block ad = dense(a);
        double[] expected = Kernels.get("singular_values").run(la, List.of(ad), KernelArgs.NONE).get(0).data();
        assertThat(values).as("singular values").isNotNull().hasSize(expected.length);
        for (int i = 0; i < values.length; i++) {
            assertThat(values[i]).as("σ%d", i).isGreaterThanOrEqualTo(0.0);
            if (i > 0) {
                assertThat(values[i]).as("σ%d after σ%d", i, i - 1).isLessThanOrEqualTo(values[i - 1]);
            }
            assertThat(Math.abs(values[i] - expected[i])).as("|σ%d − LAPACK's| (σ0 = %s)", i, expected[0])
                    .isLessThan(100.0 * ad.rows() * EPS * expected[0]);
        }
    }

    /** X with A·X = B: ‖AX − B‖ / (‖A‖‖X‖) small. */
    static void checkSolution(BlockMatrix a, BlockMatrix b, BlockMatrix x) {
        Block ad = dense(a);
        Block bd = dense(b);
        Block xd = dense(x);
        assertThat(xd.shapeString()).as("shape of X").isEqualTo(bd.shapeString());
        double error = norm(minus(multiply(ad, xd), bd)) / (norm(ad) * norm(xd));
        assertThat(error).as("‖AX − B‖/(‖A‖‖X‖) for n = %d", ad.rows()).isLessThan(10.0 * ad.rows() * EPS);
    }

    // ---------------------------------------------------------------- the store

    /** The stored bytes of some matrices (blocks and headers), to compare after a job. */
    record Snapshot(BlockStore store, List<String> prefixes, Map<String, byte[]> bytes) {
        void assertUnchanged() {
            Map<String, byte[]> now = read(store, prefixes);
            assertThat(now.keySet()).as("keys of the inputs after the job").containsExactlyElementsOf(bytes.keySet());
            for (Map.Entry<String, byte[]> e : bytes.entrySet()) {
                assertThat(Arrays.equals(now.get(e.getKey()), e.getValue()))
                        .as("input object %s is byte-identical after the job", e.getKey()).isTrue();
            }
        }
    }

    static Snapshot snapshot(BlockStore store, BlockMatrix... inputs) {
        List<String> prefixes = new ArrayList<>();
        for (BlockMatrix m : inputs) {
            prefixes.add(m.prefix());
        }
        Map<String, byte[]> bytes = read(store, prefixes);
        assertThat(bytes).as("stored objects of the inputs").isNotEmpty();
        return new Snapshot(store, List.copyOf(prefixes), bytes);
    }

    private static Map<String, byte[]> read(BlockStore store, List<String> prefixes) {
        Map<String, byte[]> bytes = new TreeMap<>();
        for (String prefix : prefixes) {
            for (String key : store.list(prefix)) {
                ByteBuffer b = store.get(key);
                byte[] raw = new byte[b.remaining()];
                b.duplicate().get(raw);
                bytes.put(key, raw);
            }
        }
        return bytes;
    }

    /**
     * Every object under {@code jobsRoot} belongs to one of {@code outputs}: no intermediate
     * (and no half-written output of another job) is left.
     */
    static void assertOnlyOutputsRemain(BlockStore store, String jobsRoot, Collection<BlockMatrix> outputs) {
        List<String> expected = expectedKeys(outputs);
        List<String> prefixes = outputs.stream().map(BlockMatrix::prefix).toList();
        List<String> left = store.list(jobsRoot);
        assertThat(left).as("objects under %s besides the outputs %s", jobsRoot, prefixes)
                .allMatch(k -> prefixes.stream().anyMatch(k::startsWith));
        assertThat(left).as("the outputs' headers and the blocks that won, and nothing else (no other attempt's)")
                .containsAll(expected).hasSameSizeAs(expected);
    }

    /** How many objects the outputs are: their headers and stored blocks. */
    static int storedKeys(Collection<BlockMatrix> outputs) {
        return expectedKeys(outputs).size();
    }

    /** The outputs' headers and the keys of their stored blocks (every block of a 2-D grid but structural zeros). */
    static List<String> expectedKeys(Collection<BlockMatrix> outputs) {
        List<String> expected = new java.util.ArrayList<>();
        for (BlockMatrix m : outputs) {
            expected.add(m.headerKey());
            if (m.gridRank() == 2) {
                for (int i = 0; i < m.gridRows(); i++) {
                    for (int j = 0; j < m.gridCols(); j++) {
                        if (!m.isStructuralZero(i, j)) {
                            expected.add(m.key(i, j));
                        }
                    }
                }
            }
        }
        return expected;
    }

    /** Deletes a result's outputs, so the next job of a test starts from an empty job area. */
    static void free(JobResult r) {
        r.outputs().values().forEach(BlockMatrix::free);
    }
}

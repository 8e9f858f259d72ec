package io.numpywren.backend.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobJournals;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job's every task finished and was journaled, and its driver dies while sweeping (before the
 * end is journaled, before the outputs' headers record their versions): another driver resumes
 * it, finds nothing to run, sweeps, and the outputs are readable by name with nothing else left.
 */
class DriverDiesWhileSweepingTest {
    @TempDir
    Path dir;

    /** The store of a driver that hangs as soon as its sweep lists an intermediate, until it dies. */
    private static final class HangingSweep extends ForwardingBlockStore {
        final CountDownLatch sweeping = new CountDownLatch(1);
        /** Let go once the driver is dead, so that the hung thread ends too. */
        final CountDownLatch dead = new CountDownLatch(1);

        HangingSweep(FileSystemBlockStore delegate) {
            super(delegate);
        }

        @Override
        public List<String> list(String prefix) {
            if (prefix.contains("/S/")) {
                sweeping.countDown();
                try {
                    dead.await(); // the driver dies here
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalStateException("the driver died while sweeping");
            }
            return super.list(prefix);
        }

        @Override
        public void close() {
            // the store outlives the driver
        }
    }

    @Test
    void anotherDriverFinishesTheSweepAndTheOutputsAreReadableByName() throws Exception {
        Config journaled = ConfigFactory.parseMap(Map.of("numpywren.journal.kind", "embedded",
                "numpywren.journal.directory", dir.resolve("journal").toString()));
        FileSystemBlockStore files = new FileSystemBlockStore(dir.resolve("store"));
        HangingSweep hanging = new HangingSweep(files);
        String jobId;
        BlockMatrix a;
        try (Numpywren dying = Numpywren.create(journaled, hanging,
                new LocalBackend(files, LinearAlgebraProviders.configured(), 2))) {
            a = dying.randomSpd("A", 64, 16, 4);
            dying.cholesky(a);
            assertThat(hanging.sweeping.await(1, TimeUnit.MINUTES)).as("the job reached its sweep").isTrue();
            JobJournals.JobSummary summary = dying.jobs().get(0);
            jobId = summary.jobId();
            assertThat(summary.state()).as("every task is journaled, the end is not").isEqualTo("UNFINISHED");
            assertThat(summary.tasksDone()).isEqualTo(summary.tasks());
        } finally {
            hanging.dead.countDown();
        }

        try (Numpywren nw = Numpywren.create(journaled, files, new LocalBackend(files, LinearAlgebraProviders.configured(), 2))) {
            JobResult r = nw.resume(jobId).toCompletableFuture().get(1, TimeUnit.MINUTES);
            assertThat(r.report().tasks()).as("nothing ran again").isZero();
            BlockMatrix l = BlockMatrix.open(files, r.output("L").namespace(), "L");
            assertThat(l).isEqualTo(r.output("L"));
            Block ad = BlockMatrices.toDense(a);
            Block ld = BlockMatrices.toDense(l);
            double worst = 0;
            for (int i = 0; i < 64; i++) {
                for (int j = 0; j < 64; j++) {
                    double s = 0;
                    for (int k = 0; k < 64; k++) {
                        s += ld.get(i, k) * ld.get(j, k);
                    }
                    worst = Math.max(worst, Math.abs(ad.get(i, j) - s));
                }
            }
            assertThat(worst).as("max |A − LLᵀ|").isLessThan(1e-10);
            assertThat(files.list(l.namespace() + "/")).as("L's header and its 10 blocks, nothing else")
                    .allMatch(k -> k.startsWith(l.prefix())).hasSize(11);
            assertThat(nw.jobs().get(0).state()).isEqualTo("SUCCEEDED");
        }
    }
}

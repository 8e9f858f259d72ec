package io.numpywren.backend.local;

import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.scheduler.JobFailedException;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Numpywren.create(Config)} finds the local backend by the name in the configuration and
 * passes it its settings. (Every algorithm end to end, faults and bad inputs: the TCK suites,
 * LocalInMemoryTckTest and LocalFileSystemTckTest.)
 */
class NumpywrenTest {

    @Test
    void aNumpywrenMadeFromConfigurationRunsOnTheBackendItNames() throws Exception {
        try (Numpywren nw = Numpywren.create(ConfigFactory.parseString("""
                numpywren.backend = local
                numpywren.backends.local.workers = 2
                """))) {
            assertThat(nw.backend().name()).isEqualTo("local");
            assertThat(nw.backend().capabilities().maxConcurrency()).as("workers from the configuration").isEqualTo(2);
            BlockMatrix a = nw.randomSpd("A", 40, 16, 3);
            JobResult r = nw.cholesky(a).toCompletableFuture().get(60, TimeUnit.SECONDS);
            Block l = BlockMatrices.toDense(r.output("L"));
            Block ad = BlockMatrices.toDense(a);
            double worst = 0;
            for (int i = 0; i < 40; i++) {
                for (int j = 0; j < 40; j++) {
                    double s = 0;
                    for (int k = 0; k < 40; k++) {
                        s += l.get(i, k) * l.get(j, k);
                    }
                    worst = Math.max(worst, Math.abs(s - ad.get(i, j)));
                }
            }
            assertThat(worst).as("max |LLᵀ − A|").isLessThan(1e-10 * 40);
            assertThat(r.report().backend()).isEqualTo("local");
        }
    }

    @Test
    void cancelAllStopsARunningJobRemovesItsBlocksAndRefusesNewWork() throws Exception {
        // Cancelled from the backend as it receives the 50th task: surely while the job runs.
        AtomicReference<Numpywren> self = new AtomicReference<>();
        AtomicInteger submitted = new AtomicInteger();
        InMemoryBlockStore memory = new InMemoryBlockStore();
        LocalBackend local = new LocalBackend(memory, LinearAlgebraProviders.configured(), 2);
        ComputeBackend cancelling = new ComputeBackend() {
            public String name() {
                return local.name();
            }

            public BackendCapabilities capabilities() {
                return local.capabilities();
            }

            public CompletionStage<io.numpywren.task.TaskResult> submit(TaskSpec spec) {
                if (submitted.incrementAndGet() == 50) {
                    self.get().cancelAll("interrupted by the test");
                }
                return local.submit(spec);
            }

            public boolean cancel(String jobId, String taskId) {
                return local.cancel(jobId, taskId);
            }

            public void close() {
                local.close();
            }
        };
        try (Numpywren nw = Numpywren.create(ConfigFactory.empty(), memory, cancelling)) {
            self.set(nw);
            BlockMatrix a = nw.randomSpd("A", 512, 32, 3); // 816 tasks
            var job = nw.cholesky(a).toCompletableFuture();

            assertThatThrownBy(() -> job.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(JobFailedException.class)
                    .hasMessageContaining("cancelled").hasMessageContaining("interrupted by the test");
            assertThat(nw.store().list("numpywren/jobs/")).as("the job's intermediates and outputs").isEmpty();
            assertThat(nw.cancellation()).contains("interrupted by the test");
            assertThatThrownBy(() -> nw.cholesky(a)).isInstanceOf(CancellationException.class)
                    .hasMessageContaining("interrupted by the test");
            assertThatThrownBy(() -> nw.random("B", 64, 64, 32, 1)).isInstanceOf(CancellationException.class);
            assertThat(nw.store().list("numpywren/data/B")).isEmpty();
            assertThat(BlockMatrices.toDense(a).get(5, 5)).as("the input is untouched").isPositive();
        }
    }

    @Test
    void cancelAllDuringAnImportStopsItAndRemovesWhatItWrote() {
        try (Numpywren nw = Numpywren.create(ConfigFactory.parseString("numpywren.backends.local.workers = 2"))) {
            AtomicLong values = new AtomicLong();
            MatrixGenerator cancelsHalfway = new MatrixGenerator() {
                @Override
                public double value(long i, long j, long rows, long cols) {
                    if (values.incrementAndGet() == 8 * 32 * 32) { // in the ninth of 16 blocks
                        nw.cancelAll("SIGINT");
                    }
                    return i + j;
                }
            };

            assertThatThrownBy(() -> nw.generate("A", 128, 128, 32, cancelsHalfway))
                    .isInstanceOf(CancellationException.class).hasMessageContaining("SIGINT");

            assertThat(values.get()).as("generation stopped early").isLessThan(128 * 128);
            assertThat(nw.store().list("")).as("blocks left by the stopped import").isEmpty();
        }
    }
}

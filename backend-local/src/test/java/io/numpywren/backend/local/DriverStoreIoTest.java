package io.numpywren.backend.local;

import com.typesafe.config.ConfigFactory;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobProgress;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job actor does no store I/O on its own thread: with every delete, listing and existence
 * check of the driver's store blocked, the job still dispatches and finishes every task. Only its
 * outcome waits, until the store answers and the intermediates are gone.
 */
class DriverStoreIoTest {
    /**
     * The driver's view of the store: its deletes, listings and checks from any thread but the
     * caller's (which creates the matrices before the job starts) block until released.
     */
    private static final class StallingStore extends ForwardingBlockStore {
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger stalled = new AtomicInteger();
        final Thread caller = Thread.currentThread();

        StallingStore(InMemoryBlockStore delegate) {
            super(delegate);
        }

        private void stall() {
            if (Thread.currentThread() == caller) {
                return;
            }
            stalled.incrementAndGet();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean delete(String key) {
            stall();
            return super.delete(key);
        }

        @Override
        public void deleteAll(Collection<String> keys) {
            stall();
            super.deleteAll(keys);
        }

        @Override
        public List<String> list(String prefix) {
            stall();
            return super.list(prefix);
        }

        @Override
        public boolean exists(String key) {
            stall();
            return super.exists(key);
        }
    }

    @Test
    void dispatchGoesOnWhileTheStoreIsStalled() throws Exception {
        InMemoryBlockStore memory = new InMemoryBlockStore();
        StallingStore driverStore = new StallingStore(memory);
        // The workers write to the store itself; the driver's deletes and clean-up go through the stalling view.
        LocalBackend workers = new LocalBackend(memory, LinearAlgebraProviders.configured(), 2);
        try (Numpywren nw = Numpywren.create(ConfigFactory.parseString("numpywren.scheduler.progress-interval = 50ms"),
                driverStore, workers)) {
            BlockMatrix a = nw.randomSpd("A", 128, 16, 5); // 8 x 8 blocks: 120 tasks
            AtomicLong done = new AtomicLong();
            AtomicLong total = new AtomicLong(-1);
            CompletableFuture<JobResult> job = nw.cholesky(a, (JobProgress p) -> {
                done.accumulateAndGet(p.tasksDone(), Math::max);
                total.set(p.tasksTotal());
            }).toCompletableFuture();

            // A guard against a hang, not a measure of speed.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (done.get() < 120 && System.nanoTime() < giveUp) {
                Thread.sleep(20);
            }
            assertThat(total.get()).isEqualTo(120);
            assertThat(done.get()).as("every task ran while the store's deletes were stalled").isEqualTo(120);
            assertThat(driverStore.stalled.get()).as("deletes were asked for, and are stalled").isPositive();
            assertThat(job).as("the outcome waits for the store work decided before it").isNotDone();

            driverStore.release.countDown();
            JobResult r = job.get(120, TimeUnit.SECONDS);
            assertThat(TestBlocks.choleskyResidual(BlockMatrices.toDense(a), BlockMatrices.toDense(r.output("L"))))
                    .isLessThan(1e-12);
            String namespace = nw.config().getString("numpywren.namespace") + "/";
            assertThat(memory.list(namespace)).as("only the input and the factor are left")
                    .allMatch(k -> k.contains("/A/") || k.contains("/L/"));
        }
    }
}

package io.numpywren.backend.local;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class LocalBackendTest {

    private static TaskSpec scaleTask(int i, int attempt) {
        return new TaskSpec(TaskSpec.VERSION, "job", "t" + i, attempt, "job", List.of(), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of("job/A/" + i + "_0"),
                List.of(new TaskSpec.OutputBlock("job/B/" + i + "_0", "float64")));
    }

    /** A store whose reads wait at a gate and that records the most concurrent reads. */
    private static final class GatedStore extends io.numpywren.storage.ForwardingBlockStore {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        GatedStore(BlockStore delegate) {
            super(delegate);
        }

        @Override
        public ByteBuffer get(String key) {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return super.get(key);
        }
    }

    @Test
    void runsEveryTaskWithNoMoreThanItsWorkersAtOnce() throws Exception {
        InMemoryBlockStore backing = new InMemoryBlockStore();
        for (int i = 0; i < 12; i++) {
            backing.put("job/A/" + i + "_0", BlockCodec.encode(Block.identity(3, 3)));
        }
        GatedStore store = new GatedStore(backing);
        try (ComputeBackend backend = new LocalBackend(store, LinearAlgebraProviders.configured(), 3)) {
            assertThat(backend.capabilities().maxConcurrency()).isEqualTo(3);
            List<CompletableFuture<TaskResult>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(backend.submit(scaleTask(i, 1)).toCompletableFuture());
            }
            Thread.sleep(100); // let the workers pile up at the gate
            store.gate.countDown();
            Set<String> workers = new HashSet<>();
            for (CompletableFuture<TaskResult> f : results) {
                TaskResult r = f.get(20, TimeUnit.SECONDS);
                assertThat(r.ok()).as("%s", r.error()).isTrue();
                workers.add(r.worker());
            }
            assertThat(store.most.get()).isLessThanOrEqualTo(3);
            assertThat(workers).hasSizeLessThanOrEqualTo(3).allMatch(w -> w.startsWith("numpywren-local-worker-"));
            assertThat(BlockCodec.decode("b", backing.get("job/B/11_0"))).isEqualTo(Block.wrap(3, 3,
                    new double[] {2, 0, 0, 0, 2, 0, 0, 0, 2}));
        }
    }

    @Test
    void aQueuedTaskCanBeCancelledAndTwoAttemptsOfOneTaskBothRun() throws Exception {
        InMemoryBlockStore backing = new InMemoryBlockStore();
        for (int i = 0; i < 3; i++) {
            backing.put("job/A/" + i + "_0", BlockCodec.encode(Block.identity(2, 2)));
        }
        GatedStore store = new GatedStore(backing);
        try (ComputeBackend backend = new LocalBackend(store, LinearAlgebraProviders.configured(), 1)) {
            CompletableFuture<TaskResult> first = backend.submit(scaleTask(0, 1)).toCompletableFuture();
            CompletableFuture<TaskResult> queued = backend.submit(scaleTask(1, 1)).toCompletableFuture();
            CompletableFuture<TaskResult> retry = backend.submit(scaleTask(0, 2)).toCompletableFuture();
            assertThat(backend.cancel("job", "t1")).isTrue();
            store.gate.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS).ok()).isTrue();
            assertThat(retry.get(10, TimeUnit.SECONDS).attempt()).isEqualTo(2);
            assertThat(queued).isCancelled();
            assertThat(backing.exists("job/B/1_0")).isFalse();
        }
    }

    @Test
    void aClosedBackendAnswersWithATransientFailure() throws Exception {
        ComputeBackend backend = new LocalBackend(new InMemoryBlockStore(), LinearAlgebraProviders.configured(), 1);
        backend.close();
        TaskResult r = backend.submit(scaleTask(0, 1)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
        assertThat(r.error().message()).contains("closed");
    }

    @Test
    void isFoundByNameThroughTheServiceLoader() {
        assertThat(Backends.available()).contains("local");
        try (ComputeBackend backend = Backends.create("local",
                new BackendContext(new InMemoryBlockStore(), Map.of("workers", "2")))) {
            assertThat(backend.name()).isEqualTo("local");
            assertThat(backend.capabilities().maxConcurrency()).isEqualTo(2);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Backends.create("lambda",
                new BackendContext(new InMemoryBlockStore(), Map.of()))).hasMessageContaining("no backend named 'lambda'")
                .hasMessageContaining("local");
    }
}

package io.numpywren.backend.local;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What only the local backend does. The {@link ComputeBackend} contract (results, failure
 * classes, concurrency, cancellation, completion) is checked by
 * {@link LocalInMemoryTckTest} and {@link LocalFileSystemTckTest}.
 */
class LocalBackendTest {

    private static TaskSpec scaleTask(int i) {
        return new TaskSpec(TaskSpec.VERSION, "job", "t" + i, 1, "job", List.of(), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of("job/A/" + i + "_0"),
                List.of(new TaskSpec.OutputBlock("job/B/" + i + "_0", "float64")));
    }

    @Test
    void resultsNameTheWorkerThreadsOfItsOwnPool() throws Exception {
        InMemoryBlockStore store = new InMemoryBlockStore();
        for (int i = 0; i < 12; i++) {
            store.put("job/A/" + i + "_0", BlockCodec.encode(Block.identity(3, 3)));
        }
        try (ComputeBackend backend = new LocalBackend(store, LinearAlgebraProviders.configured(), 3)) {
            assertThat(backend.capabilities().maxConcurrency()).isEqualTo(3);
            List<CompletableFuture<TaskResult>> results = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                results.add(backend.submit(scaleTask(i)).toCompletableFuture());
            }
            Set<String> workers = new HashSet<>();
            for (CompletableFuture<TaskResult> f : results) {
                TaskResult r = f.get(20, TimeUnit.SECONDS);
                assertThat(r.ok()).as("%s", r.error()).isTrue();
                workers.add(r.worker());
            }
            assertThat(workers).isNotEmpty().hasSizeLessThanOrEqualTo(3)
                    .allMatch(w -> w.matches("numpywren-local-worker-[1-3]"));
        }
    }

    @Test
    void withoutALimitAnySpecSizeIsAccepted() throws Exception {
        InMemoryBlockStore store = new InMemoryBlockStore();
        store.put("job/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            inputs.add("job/A/0_0");
        }
        TaskSpec big = new TaskSpec(TaskSpec.VERSION, "job", "sum", 1, "job", List.of(), "add", Map.of(), inputs,
                List.of(new TaskSpec.OutputBlock("job/S/0_0", "float64")));
        assertThat(TaskCodec.encode(big).length).isGreaterThan(4096);
        try (ComputeBackend limited = new LocalBackend(store, LinearAlgebraProviders.configured(), 1, 4096);
             ComputeBackend unlimited = new LocalBackend(store, LinearAlgebraProviders.configured(), 1)) {
            assertThat(unlimited.capabilities().maxRequestBytes()).isEqualTo(Long.MAX_VALUE);
            assertThat(limited.capabilities().maxRequestBytes()).isEqualTo(4096);

            TaskResult rejected = limited.submit(big).toCompletableFuture().get(10, TimeUnit.SECONDS);
            TaskResult accepted = unlimited.submit(big).toCompletableFuture().get(10, TimeUnit.SECONDS);

            assertThat(rejected.ok()).isFalse();
            assertThat(rejected.error().message()).contains("4096").contains(String.valueOf(TaskCodec.encode(big).length));
            assertThat(accepted.ok()).as("%s", accepted.error()).isTrue();
            assertThat(BlockCodec.decode("s", store.get("job/S/0_0")).get(0, 0)).isEqualTo(400.0);
        }
    }

    @Test
    void theConstructorRejectsNoWorkersAndANonPositiveRequestLimit() {
        InMemoryBlockStore store = new InMemoryBlockStore();
        int cores = Runtime.getRuntime().availableProcessors();
        for (int workers : new int[] {LocalBackend.MAX_WORKERS_PER_CORE * cores + 1, 100_000, Integer.MAX_VALUE}) {
            assertThatThrownBy(() -> new LocalBackend(store, LinearAlgebraProviders.configured(), workers))
                    .as("%d workers", workers)
                    .hasMessageContaining("cannot run " + workers + " workers on " + cores + " cores");
        }
        assertThatThrownBy(() -> new LocalBackend(store, LinearAlgebraProviders.configured(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one worker");
        assertThatThrownBy(() -> new LocalBackend(store, LinearAlgebraProviders.configured(), 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRequestBytes");
    }

    @Test
    void isFoundByNameThroughTheServiceLoader() {
        assertThat(Backends.available()).contains("local");
        try (ComputeBackend backend = Backends.create("local",
                new BackendContext(new InMemoryBlockStore(), Map.of("workers", "2")))) {
            assertThat(backend.name()).isEqualTo("local");
            assertThat(backend.capabilities().maxConcurrency()).isEqualTo(2);
        }
        assertThatThrownBy(() -> Backends.create("lambda",
                new BackendContext(new InMemoryBlockStore(), Map.of()))).hasMessageContaining("no backend named 'lambda'")
                .hasMessageContaining("local");
    }
}

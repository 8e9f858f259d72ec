package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import io.numpywren.tck.BackendTrait;
import io.numpywren.tck.ProviderTck;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the local backend with the in-memory store, the default configuration: three
 * workers, and a request limit as a remote backend has (256 KiB), so that its enforcement is
 * checked too.
 */
class LocalInMemoryTckTest extends ProviderTck {
    @Override
    public BlockStore newStore() {
        return new InMemoryBlockStore("tck");
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) {
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 3, 256 * 1024);
    }

    /** The workers are threads of this JVM that use the very store object they are given. */
    @Override
    public Set<BackendTrait> backendTraits() {
        return EnumSet.of(BackendTrait.WORKERS_USE_GIVEN_STORE);
    }

    /** The trait declared above holds: a task's reads and writes go through the store object given. */
    @Test
    void workersReadAndWriteThroughTheGivenStoreObject() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        BlockStore counting = new ForwardingBlockStore(newStore()) {
            @Override
            public ByteBuffer get(String key) {
                calls.incrementAndGet();
                return super.get(key);
            }

            @Override
            public void put(String key, ByteBuffer bytes) {
                calls.incrementAndGet();
                super.put(key, bytes);
            }
        };
        counting.put("in/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        calls.set(0);
        try (ComputeBackend backend = newBackend(counting)) {
            TaskResult r = backend.submit(new TaskSpec(TaskSpec.VERSION, "j", "t", 1, "jobs/j", List.of("in"), "scale",
                    Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of("in/A/0_0"),
                    List.of(new TaskSpec.OutputBlock("jobs/j/B/0_0", "float64")))).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertThat(r.ok()).as("%s", r.error()).isTrue();
        }
        assertThat(calls.get()).as("reads and writes through the given store").isEqualTo(2);
        assertThat(BlockCodec.decode("jobs/j/B/0_0", counting.get("jobs/j/B/0_0")).get(1, 1)).isEqualTo(2.0);
    }
}

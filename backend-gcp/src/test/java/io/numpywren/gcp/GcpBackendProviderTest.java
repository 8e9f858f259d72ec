package io.numpywren.gcp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code numpywren.backend = gcp} chosen by configuration alone: the key read from Secret
 * Manager, the function's URL from Cloud Functions' API, blocks in Cloud Storage, all stand-ins
 * reached through Google's own clients; and every way that setup can be wrong, named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GcpBackendProviderTest {
    private GcpStandIns standIns;

    @BeforeAll
    void start() throws Exception {
        standIns = GcpStandIns.start();
    }

    @AfterAll
    void stop() throws Exception {
        standIns.close();
    }

    private Config config(Map<String, String> overrides) {
        Map<String, Object> all = new HashMap<>(standIns.settings());
        all.putAll(overrides);
        return ConfigFactory.parseMap(all);
    }

    private Map<String, String> backendSettings(Map<String, String> overrides) {
        Map<String, String> s = new HashMap<>();
        config(overrides).getConfig("numpywren.backends.gcp").entrySet()
                .forEach(e -> s.put(e.getKey(), String.valueOf(e.getValue().unwrapped())));
        return s;
    }

    @Test
    void aCholeskyRunsOnTheFunctionFoundByConfigurationAndItsResidualIsSmall() throws Exception {
        int n = 384;
        try (Numpywren nw = Numpywren.create(config(Map.of()))) {
            assertThat(nw.backend().name()).isEqualTo("gcp");
            BlockMatrix a = nw.randomSpd("A", n, 128, 7);
            JobResult result = nw.cholesky(a).toCompletableFuture().get(3, TimeUnit.MINUTES);

            Block l = BlockMatrices.toDense(result.output("L"));
            Block dense = BlockMatrices.toDense(a);
            assertThat(TestBlocks.choleskyResidual(dense, l)).as("max |A - LLᵀ| / max |A|").isLessThan(n * 1e-15);
            assertThat(result.report().tasks()).isEqualTo(10); // 3 blocks a side: 3 chol, 3 trsm, 3 syrk, 1 gemm
        }
        assertThat(standIns.apis.calls).contains("AccessSecretVersion", "GetFunction");
        assertThat(standIns.function.output()).as("the function's log").doesNotContain(standIns.key());
    }

    @Test
    void aStoreOtherThanTheWorkersBucketIsRefusedNamingBoth() {
        try (InMemoryBlockStore memory = new InMemoryBlockStore()) {
            assertThatThrownBy(() -> Backends.create("gcp", new BackendContext(memory, backendSettings(Map.of()))))
                    .hasMessageContaining("gs://numpywren-stand-in/blocks/").hasMessageContaining(memory.description())
                    .hasMessageContaining("--store gs://numpywren-stand-in/blocks");
        }
        try (GcsBlockStore other = GcsBlockStore.builder().bucket(GcpStandIns.BUCKET).prefix("elsewhere")
                .host(standIns.gcs.host()).noCredentials().projectId(GcpStandIns.PROJECT).build()) {
            assertThatThrownBy(() -> Backends.create("gcp", new BackendContext(other, backendSettings(Map.of()))))
                    .hasMessageContaining("elsewhere").hasMessageContaining("the same bucket and prefix");
        }
    }

    @Test
    void aMissingSecretOrFunctionSaysToDeploy() {
        Map<String, String> noSecret = Map.of("numpywren.backends.gcp.task-key-secret", "no-such-secret");
        try (GcsBlockStore store = GcpSettings.from(backendSettings(noSecret)).store().build()) {
            assertThatThrownBy(() -> Backends.create("gcp", new BackendContext(store, backendSettings(noSecret))))
                    .hasMessageContaining("projects/numpywren-stand-in/secrets/no-such-secret")
                    .hasMessageContaining("NOT_FOUND").hasMessageContaining("numpywren gcp deploy creates it");
        }
        Map<String, String> noFunction = Map.of("numpywren.backends.gcp.function-name", "other-worker",
                "numpywren.backends.gcp.task-key-secret", "numpywren-worker-task-key");
        try (GcsBlockStore store = GcpSettings.from(backendSettings(noFunction)).store().build()) {
            assertThatThrownBy(() -> Backends.create("gcp", new BackendContext(store, backendSettings(noFunction))))
                    .hasMessageContaining("projects/numpywren-stand-in/locations/us-central1/functions/other-worker")
                    .hasMessageContaining("run numpywren gcp deploy first");
        }
    }

    @Test
    void everyBadSettingIsNamedAtOnce() {
        Map<String, String> bad = new HashMap<>(Map.of("project", "X", "bucket", "", "function-name", "Worker_1",
                "memory", "16384", "cpu", "2", "timeout-seconds", "7200", "concurrency", "many",
                "task-key-secret", "a/b", "url", "not a url"));
        assertThatThrownBy(() -> GcpSettings.from(bad, () -> null))
                .hasMessageStartingWith("numpywren.backends.gcp: ")
                .hasMessageContaining("project 'X' is not a project ID")
                .hasMessageContaining("bucket is not set")
                .hasMessageContaining("function-name 'Worker_1'")
                .hasMessageContaining("memory 16384 MiB is more than 2 vCPU may have (8192 MiB)")
                .hasMessageContaining("timeout-seconds must lie in [1, 3600], got 7200")
                .hasMessageContaining("concurrency must be an integer, got 'many'")
                .hasMessageContaining("task-key-secret 'a/b'")
                .hasMessageContaining("url 'not a url'");
        assertThatThrownBy(() -> GcpSettings.from(Map.of("bucket", "bkt"), () -> null))
                .hasMessageContaining("project is not set");
    }

    @Test
    void defaultsFollowCloudFunctionsTiers() {
        GcpSettings s = GcpSettings.from(Map.of("bucket", "my-bucket", "prefix", "runs/"), () -> "my-project");
        assertThat(s.project()).isEqualTo("my-project");
        assertThat(s.memoryMib()).isEqualTo(4096);
        assertThat(s.cpu()).isEqualTo(2);
        assertThat(s.timeout().toSeconds()).isEqualTo(3600);
        assertThat(s.location()).isEqualTo("gs://my-bucket/runs/");
        assertThat(s.serviceAccountEmail()).isEqualTo("numpywren-worker@my-project.iam.gserviceaccount.com");
        assertThat(s.secretResource()).isEqualTo("projects/my-project/secrets/numpywren-worker-task-key");
        assertThat(GcpSettings.from(Map.of("bucket", "bkt", "memory", "32768"), () -> "my-project").cpu()).isEqualTo(8);
        assertThat(GcpSettings.from(Map.of("bucket", "bkt", "memory", "1024"), () -> "my-project").cpu()).isEqualTo(1);
    }
}

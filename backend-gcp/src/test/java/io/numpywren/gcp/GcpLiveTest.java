package io.numpywren.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Against a real Google Cloud project, only when {@code NUMPYWREN_GCP_LIVE=1}, Application
 * Default Credentials resolve, and {@code GOOGLE_CLOUD_PROJECT} and {@code NUMPYWREN_GCP_BUCKET}
 * (an existing bucket with uniform bucket-level access) are set; otherwise skipped, saying which.
 * Deploys a function of its own (a fresh name) with {@code gcp deploy}'s deployer, runs a
 * Cholesky of 1024 in 256-blocks through the backend chosen by configuration, checks ‖A − LLᵀ‖,
 * and destroys what it deployed. It costs cents: 20 requests and a few hundred operations.
 */
class GcpLiveTest {
    @Test
    void deployRunACholeskyOnCloudFunctionsAndDestroy() throws Exception {
        assumeTrue("1".equals(System.getenv("NUMPYWREN_GCP_LIVE")),
                "live Google Cloud tests run only with NUMPYWREN_GCP_LIVE=1 (and credentials, GOOGLE_CLOUD_PROJECT, "
                        + "NUMPYWREN_GCP_BUCKET)");
        String project = System.getenv("GOOGLE_CLOUD_PROJECT");
        String bucket = System.getenv("NUMPYWREN_GCP_BUCKET");
        assumeTrue(project != null && !project.isBlank(), "GOOGLE_CLOUD_PROJECT is not set");
        assumeTrue(bucket != null && !bucket.isBlank(), "NUMPYWREN_GCP_BUCKET is not set (an existing bucket)");
        boolean credentials;
        try {
            GoogleCredentials.getApplicationDefault();
            credentials = true;
        } catch (IOException e) {
            credentials = false;
        }
        assumeTrue(credentials, "no Application Default Credentials (gcloud auth application-default login)");
        Path artifact = Path.of(System.getProperty("numpywren.function.artifact", "target/none.jar"));
        assumeTrue(Files.isRegularFile(artifact), "the function jar " + artifact + " is not built (mvn package first)");

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String function = "numpywren-live-" + suffix;
        Map<String, String> backend = Map.of("project", project, "bucket", bucket, "prefix", "numpywren-live/" + suffix,
                "function-name", function, "memory", "2048", "timeout-seconds", "300", "concurrency", "8");
        GcpSettings settings = GcpSettings.from(backend);
        List<String> log = new ArrayList<>();
        try (GcpDeployer deployer = new GcpDeployer(settings)) {
            try {
                GcpDeployer.Deployed d = deployer.deploy(GcpDeployPlan.deploy(settings, "numpywren", "auto", artifact),
                        log::add);
                assertThat(d.url()).startsWith("https://");
                GcsBlockStore store = settings.store().build();
                try (Numpywren nw = Numpywren.create(ConfigFactory.empty(), store,
                        Backends.create("gcp", new BackendContext(store, backend)))) {
                    try {
                        BlockMatrix a = nw.randomSpd("A", 1024, 256, 42);
                        JobResult r = nw.cholesky(a).toCompletableFuture().get(15, TimeUnit.MINUTES);
                        assertThat(r.report().tasks()).isEqualTo(4 + 6 + 10);
                        assertThat(r.report().kernelProviders()).containsExactly("openblas");
                        assertThat(TestBlocks.choleskyResidual(BlockMatrices.toDense(a),
                                BlockMatrices.toDense(r.output("L")))).as("max |A - LLᵀ| / max |A|").isLessThan(1e-10);
                    } finally {
                        store.deletePrefix(""); // the test's prefix: nothing of it stays in the bucket
                    }
                }
            } finally {
                deployer.destroy(GcpDeployPlan.destroy(settings), log::add);
            }
        }
        assertThat(log).contains("deleted function " + settings.functionResource(),
                "deleted service account " + settings.serviceAccountEmail());
    }
}

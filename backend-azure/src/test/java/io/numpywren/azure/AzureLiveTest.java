package io.numpywren.azure;

import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Against a real Azure subscription, only when {@code NUMPYWREN_AZURE_LIVE=1}, DefaultAzureCredential
 * signs in, and {@code AZURE_SUBSCRIPTION_ID} and {@code NUMPYWREN_AZURE_RESOURCE_GROUP} are set
 * ({@code NUMPYWREN_AZURE_STORAGE_ACCOUNT} names an existing account for the blocks; without it a
 * fresh one is made and kept, as destroy keeps blocks); otherwise skipped, saying which. Deploys an
 * app of its own (a fresh name) with {@code azure deploy}'s deployer, runs a Cholesky of 1024 in
 * 256-blocks through the backend chosen by configuration, checks ‖A − LLᵀ‖ and that the workers
 * used the bundled OpenBLAS, and destroys what it deployed. It costs cents.
 */
class AzureLiveTest {
    @Test
    void deployRunACholeskyOnAzureFunctionsAndDestroy() throws Exception {
        assumeTrue("1".equals(System.getenv("NUMPYWREN_AZURE_LIVE")),
                "live Azure tests run only with NUMPYWREN_AZURE_LIVE=1 (and credentials, AZURE_SUBSCRIPTION_ID, "
                        + "NUMPYWREN_AZURE_RESOURCE_GROUP)");
        String subscription = System.getenv("AZURE_SUBSCRIPTION_ID");
        String group = System.getenv("NUMPYWREN_AZURE_RESOURCE_GROUP");
        assumeTrue(subscription != null && !subscription.isBlank(), "AZURE_SUBSCRIPTION_ID is not set");
        assumeTrue(group != null && !group.isBlank(), "NUMPYWREN_AZURE_RESOURCE_GROUP is not set");
        boolean signedIn;
        try {
            signedIn = new DefaultAzureCredentialBuilder().build()
                    .getTokenSync(new TokenRequestContext().addScopes("https://management.azure.com/.default")) != null;
        } catch (RuntimeException e) {
            signedIn = false;
        }
        assumeTrue(signedIn, "DefaultAzureCredential cannot sign in (az login, or AZURE_CLIENT_ID and its secret)");
        Path app = Path.of(System.getProperty("numpywren.function.app", "target/none.zip"));
        assumeTrue(Files.isRegularFile(app), "the function app " + app + " is not built (mvn package first)");

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String account = System.getenv().getOrDefault("NUMPYWREN_AZURE_STORAGE_ACCOUNT", "nwlive" + suffix);
        Map<String, String> backend = new HashMap<>(Map.of("subscription", subscription, "resource-group", group,
                "app-name", "nwlive-" + suffix, "storage-account", account, "container", "numpywren-live",
                "prefix", suffix, "memory", "2048", "concurrency", "8", "timeout-seconds", "200"));
        System.getenv().entrySet().stream().filter(e -> e.getKey().equals("NUMPYWREN_AZURE_LOCATION"))
                .forEach(e -> backend.put("location", e.getValue()));
        AzureDeploySettings settings = AzureDeploySettings.from(backend);
        AzureDeployer deployer = new AzureDeployer(settings);
        List<String> log = new ArrayList<>();
        try {
            AzureDeployer.Deployed d = deployer.deploy(AzureDeployPlan.deploy(settings, "numpywren", "auto", app), log::add);
            assertThat(d.url()).startsWith("https://");
            BlobBlockStore store = settings.backend().store().build();
            // New role assignments take minutes to reach the vault and the account.
            awaitAccess(store, settings.backend());
            try (Numpywren nw = Numpywren.create(ConfigFactory.empty(), store,
                    Backends.create("azure", new BackendContext(store, backend)))) {
                try {
                    BlockMatrix a = nw.randomSpd("A", 1024, 256, 42);
                    JobResult r = nw.cholesky(a).toCompletableFuture().get(15, TimeUnit.MINUTES);
                    assertThat(r.report().tasks()).isEqualTo(4 + 6 + 10);
                    assertThat(r.report().kernelProviders()).containsExactly("openblas");
                    assertThat(TestBlocks.choleskyResidual(BlockMatrices.toDense(a), BlockMatrices.toDense(r.output("L"))))
                            .as("max |A - LLᵀ| / max |A|").isLessThan(1e-10);
                } finally {
                    store.deletePrefix(""); // the test's prefix: nothing of it stays in the container
                }
            }
        } finally {
            deployer.destroy(AzureDeployPlan.destroy(settings), log::add);
        }
        assertThat(log).contains("deleted function app nwlive-" + suffix, "purged key vault " + settings.backend().keyVault());
    }

    private static void awaitAccess(BlobBlockStore store, AzureSettings settings) throws InterruptedException {
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(10));
        while (true) {
            try {
                KeyVaultKeys.read(settings);
                store.exists("probe");
                return;
            } catch (RuntimeException e) {
                if (Instant.now().isAfter(giveUp)) {
                    throw e;
                }
                Thread.sleep(15_000);
            }
        }
    }
}

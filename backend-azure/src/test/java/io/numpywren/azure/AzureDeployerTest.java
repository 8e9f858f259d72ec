package io.numpywren.azure;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code numpywren azure deploy} and {@code destroy} through Azure Resource Manager's own Java
 * clients, against a stand-in that keeps what it is told and refuses what ARM refuses: the
 * accounts and containers, the vault and both keys (made once, kept on redeploy, never printed),
 * the Flex Consumption app's configuration, each role on its own scope only (the blocks' container,
 * not its account), the app's settings, the published package; then destroy removes all of it but
 * the blocks' account and container, purging the vault so that the next deploy may take its name.
 */
class AzureDeployerTest {
    private static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
    private static final String DRIVER = "99999999-8888-7777-6666-555555555555";
    private static final String GROUP = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/nw-rg";

    @TempDir
    Path tmp;

    private static AzureDeploySettings settings(FakeAzureResourceManager arm) {
        Map<String, String> s = new HashMap<>(Map.of("subscription", SUBSCRIPTION, "resource-group", "nw-rg",
                "app-name", "nw-worker", "storage-account", "nwblocks", "prefix", "runs", "memory", "2048",
                "concurrency", "40", "tenant", "00000000-0000-0000-0000-0000000000aa", "driver-principal", DRIVER));
        s.put("management-endpoint", arm.endpoint().toString());
        s.put("scm-url", arm.scmUrl("nw-worker").toString());
        return AzureDeploySettings.from(s);
    }

    private Path appZip() throws IOException {
        return FakeAzureResourceManager.minimalApp(tmp);
    }

    private static AzureDeployer deployer(AzureDeploySettings s) {
        return new AzureDeployer(s, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @Test
    void deployRedeployAndDestroy() throws Exception {
        Path zip = appZip();
        try (FakeAzureResourceManager arm = new FakeAzureResourceManager()) {
            arm.principalNotFoundOnce.set(true);
            AzureDeploySettings s = settings(arm);
            AzureDeployPlan plan = AzureDeployPlan.deploy(s, "numpywren", "auto", zip);
            List<String> log = new ArrayList<>();
            AzureDeployer.Deployed deployed = deployer(s).deploy(plan, log::add);

            String blocks = GROUP + "/providers/Microsoft.Storage/storageAccounts/nwblocks";
            String host = GROUP + "/providers/Microsoft.Storage/storageAccounts/nwworkerhost";
            assertThat(arm.resource(GROUP).path("location").asText()).isEqualTo("eastus");
            JsonNode account = arm.resource(blocks).path("properties");
            assertThat(account.path("allowSharedKeyAccess").asBoolean(true)).isFalse();
            assertThat(account.path("allowBlobPublicAccess").asBoolean(true)).isFalse();
            assertThat(arm.resource(blocks + "/blobServices/default/containers/numpywren")).isNotNull();
            assertThat(arm.resource(host + "/blobServices/default/containers/app-package")).isNotNull();

            String vault = GROUP + "/providers/Microsoft.KeyVault/vaults/nw-worker-kv";
            assertThat(arm.resource(vault).path("properties").path("enableRbacAuthorization").asBoolean()).isTrue();
            String taskKey = arm.secretValues.get((vault + "/secrets/numpywren-task-key").toLowerCase());
            assertThat(Base64.getDecoder().decode(taskKey)).hasSize(32);

            JsonNode farm = arm.resource(GROUP + "/providers/Microsoft.Web/serverfarms/nw-worker-plan");
            assertThat(farm.path("sku").path("name").asText()).isEqualTo("FC1");
            assertThat(farm.path("sku").path("tier").asText()).isEqualTo("FlexConsumption");
            String siteId = GROUP + "/providers/Microsoft.Web/sites/nw-worker";
            JsonNode site = arm.resource(siteId);
            assertThat(site.path("kind").asText()).isEqualTo("functionapp,linux");
            assertThat(site.path("identity").path("type").asText()).isEqualTo("SystemAssigned");
            assertThat(site.path("properties").path("httpsOnly").asBoolean()).isTrue();
            JsonNode config = site.path("properties").path("functionAppConfig");
            assertThat(config.path("runtime").path("name").asText()).isEqualTo("java");
            assertThat(config.path("runtime").path("version").asText()).isEqualTo("17");
            JsonNode scale = config.path("scaleAndConcurrency");
            assertThat(scale.path("maximumInstanceCount").asInt()).isEqualTo(40);
            assertThat(scale.path("instanceMemoryMB").asInt()).isEqualTo(2048);
            assertThat(scale.path("triggers").path("http").path("perInstanceConcurrency").asInt()).isEqualTo(1);
            JsonNode storage = config.path("deployment").path("storage");
            assertThat(storage.path("value").asText()).isEqualTo("https://nwworkerhost.blob.core.windows.net/app-package");
            assertThat(storage.path("authentication").path("type").asText()).isEqualTo("SystemAssignedIdentity");
            String principal = site.path("identity").path("principalId").asText();
            assertThat(deployed.principalId()).isEqualTo(principal);
            assertThat(deployed.url()).isEqualTo("https://nw-worker.azurewebsites.net/api/task");

            // Five roles, one refused first while the new identity was unknown to Entra ID, and granted on retry.
            assertThat(arm.calls).filteredOn(c -> c.startsWith("PUT") && c.contains("/roleAssignments/")).hasSize(6);
            // Each role on its own scope: the blocks' container, never its whole account.
            List<JsonNode> roles = arm.resourcesWith("/roleAssignments/");
            assertThat(roles).hasSize(5);
            assertThat(roles).noneMatch(r -> r.path("properties").path("scope").asText().equalsIgnoreCase(blocks));
            assertThat(roles).filteredOn(r -> r.path("properties").path("principalId").asText().equals(principal))
                    .extracting(r -> r.path("properties").path("scope").asText())
                    .containsExactlyInAnyOrder(blocks + "/blobServices/default/containers/numpywren", host, vault);
            assertThat(roles).filteredOn(r -> r.path("properties").path("principalId").asText().equals(DRIVER))
                    .extracting(r -> r.path("properties").path("scope").asText())
                    .containsExactlyInAnyOrder(blocks + "/blobServices/default/containers/numpywren", vault);
            assertThat(roles).filteredOn(r -> r.path("properties").path("scope").asText().equals(host))
                    .singleElement().satisfies(r -> assertThat(r.path("properties").path("roleDefinitionId").asText())
                            .endsWith(AzureDeployPlan.BLOB_DATA_OWNER.id()));

            JsonNode settings = arm.resource(siteId + "/config/appsettings").path("properties");
            assertThat(settings.path("AzureWebJobsStorage__accountName").asText()).isEqualTo("nwworkerhost");
            assertThat(settings.path("NUMPYWREN_CONTAINER").asText()).isEqualTo("numpywren");
            assertThat(settings.path("NUMPYWREN_PREFIX").asText()).isEqualTo("runs");
            assertThat(settings.path("NUMPYWREN_BLOB_ENDPOINT").asText()).isEqualTo("https://nwblocks.blob.core.windows.net");
            assertThat(settings.path("NUMPYWREN_TASK_KEY").asText())
                    .isEqualTo("@Microsoft.KeyVault(SecretUri=https://nw-worker-kv.vault.azure.net/secrets/numpywren-task-key/)");
            assertThat(settings.toString()).doesNotContain(taskKey);
            assertThat(arm.packages.get("nw-worker")).isEqualTo(Files.readAllBytes(zip));

            String functionKey = arm.hostKeys.get(siteId.toLowerCase()).get("numpywren");
            assertThat(functionKey).hasSizeGreaterThanOrEqualTo(32);
            assertThat(arm.secretValues.get((vault + "/secrets/numpywren-function-key").toLowerCase())).isEqualTo(functionKey);
            assertThat(String.join("\n", log)).contains("created function app nw-worker")
                    .doesNotContain(taskKey).doesNotContain(functionKey);

            // Redeploy: both keys kept, the same five roles, the app updated.
            log.clear();
            deployer(s).deploy(plan, log::add);
            assertThat(arm.secretValues.get((vault + "/secrets/numpywren-task-key").toLowerCase())).isEqualTo(taskKey);
            assertThat(arm.hostKeys.get(siteId.toLowerCase()).get("numpywren")).isEqualTo(functionKey);
            assertThat(arm.resourcesWith("/roleAssignments/")).hasSize(5);
            assertThat(log).contains("kept the task-signing key in secret numpywren-task-key",
                    "kept the function key in secret numpywren-function-key", "updated function app nw-worker (identity "
                            + principal + ")");

            // Destroy, twice: only the blocks' account and container remain, and the vault's name is free.
            log.clear();
            deployer(s).destroy(AzureDeployPlan.destroy(s), log::add);
            deployer(s).destroy(AzureDeployPlan.destroy(s), log::add);
            assertThat(arm.resourcesWith("/roleAssignments/")).isEmpty();
            assertThat(arm.resource(siteId)).isNull();
            assertThat(arm.resource(vault)).isNull();
            assertThat(arm.deletedVaults).isEmpty();
            assertThat(arm.resource(host)).isNull();
            assertThat(arm.resource(blocks + "/blobServices/default/containers/numpywren")).isNotNull();
            assertThat(log).contains("purged key vault nw-worker-kv", "no function app nw-worker");

            // And a deploy after it makes new keys under the same names.
            deployer(s).deploy(plan, line -> { });
            assertThat(arm.secretValues.get((vault + "/secrets/numpywren-task-key").toLowerCase())).isNotEqualTo(taskKey);
        }
    }

    @Test
    void aVaultLeftDeletedIsRecoveredNotRefused() throws Exception {
        Path zip = appZip();
        try (FakeAzureResourceManager arm = new FakeAzureResourceManager()) {
            AzureDeploySettings s = settings(arm);
            AzureDeployPlan plan = AzureDeployPlan.deploy(s, "numpywren", "auto", zip);
            deployer(s).deploy(plan, line -> { });
            // Someone deleted the vault by hand, without purging it: Azure keeps its name for 7 days.
            String vault = GROUP + "/providers/Microsoft.KeyVault/vaults/nw-worker-kv";
            arm.deletedVaults.put("nw-worker-kv", (com.fasterxml.jackson.databind.node.ObjectNode) arm.resource(vault));
            arm.resources.keySet().removeIf(k -> k.startsWith(vault.toLowerCase()));
            List<String> log = new ArrayList<>();
            deployer(s).deploy(plan, log::add);
            assertThat(log).contains("recovered key vault nw-worker-kv");
            assertThat(arm.resource(vault)).isNotNull();
        }
    }

    @Test
    void thePlanNamesEveryResourceAndScopeAndNoKey() throws Exception {
        Path zip = appZip();
        AzureDeploySettings s = AzureDeploySettings.from(Map.of("subscription", SUBSCRIPTION, "resource-group", "nw-rg",
                "app-name", "nw-worker", "storage-account", "nwblocks", "prefix", "runs"));
        String plan = String.join("\n", AzureDeployPlan.deploy(s, "numpywren", "auto", zip).deploySteps());
        assertThat(plan).contains("resource group nw-rg").contains("storage account nwblocks (the blocks)")
                .contains("storage account nwworkerhost").contains("key vault nw-worker-kv")
                .contains("Flex Consumption plan nw-worker-plan (FC1, Linux)")
                .contains("runtime:       java 17").contains("memory:        4096 MB per instance")
                .contains("at most 100, one request each")
                .contains("the app's identity: Storage Blob Data Contributor on the container numpywren of nwblocks (the blocks live below runs/)")
                .contains("the driver (the signed-in principal): Key Vault Secrets User on the key vault nw-worker-kv")
                .contains("NUMPYWREN_TASK_KEY=@Microsoft.KeyVault(SecretUri=https://nw-worker-kv.vault.azure.net/secrets/numpywren-task-key/)")
                .contains("https://nw-worker.scm.azurewebsites.net/api/publish");
        String destroy = String.join("\n", AzureDeployPlan.destroy(s).destroySteps());
        assertThat(destroy).contains("delete the function app nw-worker").contains("purge it")
                .contains("kept: the resource group nw-rg, the storage account nwblocks");

        assertThatThrownBy(() -> AzureDeployPlan.deploy(s, "numpywren", "auto", tmp.resolve("absent.zip")))
                .hasMessageContaining("absent.zip does not exist").hasMessageContaining("mvn -B -pl backend-azure");
        Path notAnApp = tmp.resolve("jar.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(notAnApp))) {
            z.putNextEntry(new ZipEntry("numpywren-worker.jar"));
        }
        assertThatThrownBy(() -> AzureDeployPlan.deploy(s, "numpywren", "auto", notAnApp))
                .hasMessageContaining("has no host.json");
        assertThatThrownBy(() -> AzureDeployPlan.deploy(s, "numpywren", "jblas", zip))
                .hasMessageContaining("kernel-provider must be auto, openblas or netlib");
    }

    @Test
    void deploySettingsNameEveryProblem() {
        assertThatThrownBy(() -> AzureDeploySettings.from(Map.of("subscription", "not-a-uuid", "app-name", "nw-worker",
                "storage-account", "nwblocks", "host-storage-account", "nwblocks", "tenant", "x", "memory", "1024")))
                .hasMessageContaining("memory must lie in")
                .hasMessageContaining("subscription 'not-a-uuid' is not a subscription id")
                .hasMessageContaining("resource-group is not set")
                .hasMessageContaining("host-storage-account must differ from storage-account")
                .hasMessageContaining("tenant 'x' is not a tenant id");
    }
}

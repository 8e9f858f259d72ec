package io.numpywren.azure;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The azure backend's settings: defaults derived as Azure names things, every bad setting named at once, and a foreign store refused. */
class AzureSettingsTest {
    @Test
    void defaultsFollowAzuresNames() {
        AzureSettings s = AzureSettings.from(Map.of("app-name", "nw-worker-7", "storage-account", "nwblocks7", "prefix", "/runs/"));
        assertThat(s.url()).hasToString("https://nw-worker-7.azurewebsites.net/api/task");
        assertThat(s.blobEndpoint()).hasToString("https://nwblocks7.blob.core.windows.net");
        assertThat(s.keyVault()).isEqualTo("nw-worker-7-kv");
        assertThat(s.vaultUrl()).hasToString("https://nw-worker-7-kv.vault.azure.net");
        assertThat(s.location()).isEqualTo("az://numpywren/runs/");
        assertThat(s.region()).isEqualTo("eastus");
        assertThat(s.memoryMb()).isEqualTo(4096);
        assertThat(s.timeout()).isEqualTo(AzureSettings.MAX_HTTP_ANSWER);
        assertThat(s.toString()).doesNotContain("task-key");
    }

    @Test
    void everyBadSettingIsNamedAtOnce() {
        assertThatThrownBy(() -> AzureSettings.from(Map.of("storage-account", "Bad_Account", "memory", "3000",
                "timeout-seconds", "600", "location", "East US", "key-vault", "9vault")))
                .hasMessageStartingWith("numpywren.backends.azure: ")
                .hasMessageContaining("app-name is not set")
                .hasMessageContaining("storage-account 'Bad_Account'")
                .hasMessageContaining("memory must be 2048 or 4096")
                .hasMessageContaining("timeout-seconds must lie in [1, 230], got 600")
                .hasMessageContaining("location 'East US'")
                .hasMessageContaining("key-vault '9vault'");
    }

    @Test
    void aStoreOtherThanTheWorkersContainerIsRefusedNamingBoth() {
        Map<String, String> settings = new HashMap<>(Map.of("app-name", "nw-worker-7", "storage-account", "nwblocks7",
                "task-key", "x", "function-key", "y"));
        try (InMemoryBlockStore memory = new InMemoryBlockStore()) {
            assertThatThrownBy(() -> Backends.create("azure", new BackendContext(memory, settings)))
                    .hasMessageContaining("az://numpywren/").hasMessageContaining(memory.description())
                    .hasMessageContaining("--store az://numpywren");
        }
    }

    @Test
    void theVaultIsNamedAfterTheAppAndDevelopmentKeysNeedNoVault() {
        AzureSettings s = AzureSettings.from(Map.of("app-name", "nw-worker-7", "storage-account", "nwblocks7",
                "key-vault", ""));
        assertThat(s.keyVault()).isEqualTo("nw-worker-7-kv");
        AzureSettings development = AzureSettings.from(Map.of("app-name", "nw-worker-7", "storage-account", "nwblocks7",
                "task-key", "k1", "function-key", "k2"));
        assertThat(KeyVaultKeys.read(development).taskKey()).isEqualTo("k1");
        assertThat(KeyVaultKeys.read(development).functionKey()).isEqualTo("k2");
    }
}

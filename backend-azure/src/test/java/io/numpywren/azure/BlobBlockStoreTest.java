package io.numpywren.azure;

import io.numpywren.backend.SettingsReader;
import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import io.numpywren.storage.InvalidKeyException;
import io.numpywren.storage.StoreException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link BlobBlockStore} beyond the TCK: prefixes, staged uploads, locations through the SPI, and what is refused. */
class BlobBlockStoreTest {
    static Azurite azurite;

    @BeforeAll
    static void start() throws Exception {
        azurite = Azurite.shared();
    }

    private static String newContainer() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void blocksLiveBelowThePrefixAndLargeOnesAreStagedThenCommittedOnce() {
        String container = newContainer();
        try (BlobBlockStore s = azurite.newContainer(container).prefix("/runs/7/").singleUploadBytes(1 << 20).build()) {
            byte[] large = new byte[(3 << 20) + 5];
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) (i * 31);
            }
            s.put("ns/A/0_0", ByteBuffer.wrap(large));
            s.put("ns/A/0_1", ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(s.prefix()).isEqualTo("runs/7");
            assertThat(s.list("ns/")).containsExactly("ns/A/0_0", "ns/A/0_1");
            java.util.List<String> names = new java.util.ArrayList<>();
            s.containerClient().listBlobs().forEach(b -> names.add(b.getName()));
            assertThat(names).containsExactly("runs/7/ns/A/0_0", "runs/7/ns/A/0_1");
            ByteBuffer back = s.get("ns/A/0_0");
            byte[] bytes = new byte[back.remaining()];
            back.get(bytes);
            assertThat(bytes).isEqualTo(large);
            assertThatThrownBy(() -> s.put("ns/A/0_0", ByteBuffer.wrap(new byte[2 << 20])))
                    .isInstanceOf(BlockExistsException.class);
            assertThat(s.get("ns/A/0_0").remaining()).as("the first write stays").isEqualTo(large.length);
            s.replace("ns/A/0_0", ByteBuffer.wrap(new byte[] {9}));
            assertThat(s.get("ns/A/0_0").get(0)).isEqualTo((byte) 9);
            assertThat(s.description()).isEqualTo("Blob Storage store az://" + container + "/runs/7/ (account devstoreaccount1)");
        }
    }

    @Test
    void aMissingBlockAndAMissingContainerAreToldApart() {
        try (BlobBlockStore s = azurite.newContainer(newContainer()).build()) {
            assertThatThrownBy(() -> s.get("ns/none")).isInstanceOf(BlockNotFoundException.class);
            assertThat(s.exists("ns/none")).isFalse();
            assertThat(s.delete("ns/none")).isFalse();
        }
        try (BlobBlockStore s = BlobBlockStore.builder().container("no-such-container")
                .connectionString(azurite.connectionString()).build()) {
            assertThatThrownBy(() -> s.put("k", ByteBuffer.wrap(new byte[1]))).isInstanceOf(StoreException.class)
                    .hasMessageContaining("az://no-such-container/k").hasMessageContaining("404")
                    .hasMessageContaining("the container no-such-container does not exist in account devstoreaccount1");
        }
    }

    @Test
    void settingsAndKeysAreCheckedBeforeAnyRequest() {
        assertThatThrownBy(() -> BlobBlockStore.builder().container("Bad_Container").singleUploadBytes(10).build())
                .hasMessageContaining("container 'Bad_Container'").hasMessageContaining("single-upload size")
                .hasMessageContaining("neither an endpoint");
        try (BlobBlockStore s = azurite.newContainer(newContainer()).prefix("p".repeat(1000)).build()) {
            assertThatThrownBy(() -> s.put("k".repeat(30), ByteBuffer.allocate(1))).isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("more than Blob Storage's 1024");
            assertThatThrownBy(() -> s.get("../x")).isInstanceOf(InvalidKeyException.class);
        }
    }

    @Test
    void azLocationsOpenThroughTheStoreSpi() {
        String container = newContainer();
        azurite.newContainer(container).build().close();
        Map<String, Map<String, String>> sections = Map.of("stores.az", Map.of("connection-string", azurite.connectionString()));
        try (BlockStore a = BlockStores.open("az://" + container + "/jobs", s -> sections.getOrDefault(s, Map.of()));
             BlockStore b = BlockStores.open("azblob://" + container + "/jobs", s -> sections.getOrDefault(s, Map.of()))) {
            a.put("x/1", ByteBuffer.wrap(new byte[] {4}));
            assertThat(b.get("x/1").get(0)).isEqualTo((byte) 4);
            assertThat(a.description()).contains("az://" + container + "/jobs/");
        }
        assertThatThrownBy(() -> BlockStores.open("az:///jobs", s -> Map.of())).hasMessageContaining("names no container");
        assertThatThrownBy(() -> BlockStores.open("az://c1c", s -> Map.of("account", "Not_An_Account")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void credentialsComeFromTheSettingsOrTheEnvironmentInThatOrder() {
        BlobBlockStore.Builder b = BlobBlockStore.builder().container("c1c");
        BlobBlockStoreProvider.connect(b, new SettingsReader("numpywren.stores.az", Map.of("account", "myaccount")), "ignored");
        try (BlobBlockStore s = b.build()) {
            assertThat(s.account()).isEqualTo("myaccount");
        }
        BlobBlockStore.Builder fromEnvironment = BlobBlockStore.builder().container("c1c");
        BlobBlockStoreProvider.connect(fromEnvironment, new SettingsReader("numpywren.stores.az", Map.of()),
                azurite.connectionString());
        try (BlobBlockStore s = fromEnvironment.build()) {
            assertThat(s.account()).isEqualTo(Azurite.ACCOUNT);
        }
        assertThatThrownBy(() -> BlobBlockStoreProvider.connect(BlobBlockStore.builder(),
                new SettingsReader("numpywren.stores.az", Map.of()), null))
                .hasMessageContaining("AZURE_STORAGE_CONNECTION_STRING").hasMessageContaining("DefaultAzureCredential");
        assertThatThrownBy(() -> BlobBlockStoreProvider.connect(BlobBlockStore.builder(),
                new SettingsReader("numpywren.stores.az", Map.of("account", "Bad!")), null))
                .hasMessageContaining("account 'Bad!' is not a storage account name");
    }
}

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

    /**
     * The batch as the service takes it: a stand-in for the container's batch endpoint answers each
     * sub-request as Blob Storage documents (202, or 404 for an absent blob; one forbidden), and the
     * store sends them 256 at a time, skips the absent one and names the refused one.
     */
    @Test
    void deleteAllSendsBlobBatchesOfAtMost256() throws Exception {
        java.util.List<String> requestLines = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            String body = new String(x.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            StringBuilder reply = new StringBuilder();
            String boundary = "batchresponse_test";
            int id = 0;
            for (String line : body.split("\r\n")) {
                if (line.startsWith("DELETE ")) {
                    requestLines.add(line);
                    String code = line.contains("absent") ? "BlobNotFound"
                            : line.contains("forbidden") ? "AuthorizationFailure" : null;
                    String status = code == null ? "202 Accepted" : code.equals("BlobNotFound")
                            ? "404 The specified blob does not exist." : "403 This request is not authorized.";
                    reply.append("--").append(boundary).append("\r\nContent-Type: application/http\r\nContent-ID: ")
                            .append(id++).append("\r\n\r\nHTTP/1.1 ").append(status)
                            .append("\r\nx-ms-request-id: r").append(id).append("\r\nx-ms-version: 2025-01-05\r\n");
                    if (code == null) {
                        reply.append("\r\n");
                    } else {
                        // A failed sub-request carries its error, as the service's do.
                        String error = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>" + code
                                + "</Code><Message>" + status.substring(4) + "</Message></Error>";
                        reply.append("x-ms-error-code: ").append(code).append("\r\nContent-Type: application/xml\r\n")
                                .append("Content-Length: ").append(error.length()).append("\r\n\r\n").append(error)
                                .append("\r\n");
                    }
                }
            }
            reply.append("--").append(boundary).append("--\r\n");
            byte[] bytes = reply.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "multipart/mixed; boundary=" + boundary);
            x.getResponseHeaders().set("x-ms-request-id", "batch");
            x.getResponseHeaders().set("x-ms-version", "2025-01-05");
            x.sendResponseHeaders(202, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        server.start();
        String connection = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey="
                + "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint="
                + "http://127.0.0.1:" + server.getAddress().getPort() + "/devstoreaccount1;";
        try (BlobBlockStore s = BlobBlockStore.builder().container("blocks").prefix("p").connectionString(connection)
                .retries(1, java.time.Duration.ofSeconds(10)).build()) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                keys.add("m/" + i);
            }
            keys.add("m/absent");
            s.deleteAll(keys);
            assertThat(requestLines).hasSize(301);
            assertThat(requestLines.get(0)).startsWith("DELETE /blocks/p%2Fm%2F0 ");
            assertThatThrownBy(() -> s.deleteAll(java.util.List.of("m/1", "m/forbidden")))
                    .isInstanceOf(StoreException.class).hasMessageContaining("az://blocks/p/m/forbidden")
                    .hasMessageContaining("403");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void whereABatchIsRefusedWholeDeleteAllDeletesOneByOne() {
        // Azurite refuses the SDK's batches (it wants path-style sub-request paths): the store falls back.
        String container = newContainer();
        try (BlobBlockStore s = azurite.newContainer(container).prefix("p").build()) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            for (int i = 0; i < 5; i++) {
                keys.add("m/" + i);
                s.put("m/" + i, ByteBuffer.wrap(new byte[] {(byte) i}));
            }
            s.put("kept", ByteBuffer.wrap(new byte[] {1}));
            keys.add("m/absent");
            s.deleteAll(keys);
            s.deleteAll(java.util.List.of("kept-not"));
            assertThat(s.list("")).containsExactly("kept");
        }
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

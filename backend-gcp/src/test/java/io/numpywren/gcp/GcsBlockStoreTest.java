package io.numpywren.gcp;

import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import io.numpywren.storage.InvalidKeyException;
import io.numpywren.storage.StoreException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the BlockStore suite does not cover: prefixes, the two kinds of upload, retries, settings and the store SPI. */
class GcsBlockStoreTest {
    static FakeGcs gcs;

    @BeforeAll
    static void startStandIn() throws IOException {
        gcs = new FakeGcs();
    }

    @AfterAll
    static void stopStandIn() {
        gcs.close();
    }

    private static String newBucket() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static GcsBlockStore.Builder store(String bucket) {
        return GcsBlockStore.builder().bucket(bucket).host(gcs.host()).noCredentials().projectId("numpywren-test");
    }

    @Test
    void deleteAllGoesInBatchesOfAtMostOneHundred() {
        String bucket = "batches-" + System.nanoTime();
        try (BlockStore store = store(bucket).prefix("p").build()) {
            java.util.List<String> keys = new java.util.ArrayList<>();
            for (int i = 0; i < 250; i++) {
                keys.add("m/" + i);
                store.put("m/" + i, java.nio.ByteBuffer.wrap(new byte[] {(byte) i}));
            }
            store.put("kept", java.nio.ByteBuffer.wrap(new byte[] {1}));
            keys.add("m/absent");
            int batchesBefore = gcs.batches.get();
            int callsBefore = gcs.batchDeletes.get();
            store.deleteAll(keys);
            assertThat(gcs.batches.get() - batchesBefore).isEqualTo(3);
            assertThat(gcs.batchDeletes.get() - callsBefore).isEqualTo(251);
            assertThat(gcs.objects(bucket).keySet()).containsExactly("p/kept");
        }
    }

    @Test
    void storesWithPrefixesShareABucketWithoutSeeingEachOther() {
        String bucket = newBucket();
        try (BlockStore a = store(bucket).prefix("team/a").build(); BlockStore b = store(bucket).prefix("/team/b/").build()) {
            a.put("m/0_0", ByteBuffer.wrap(new byte[] {1}));
            b.put("m/0_0", ByteBuffer.wrap(new byte[] {2}));

            assertThat(a.list("")).containsExactly("m/0_0");
            assertThat(a.get("m/0_0").get(0)).isEqualTo((byte) 1);
            assertThat(b.get("m/0_0").get(0)).isEqualTo((byte) 2);
            assertThat(gcs.objects(bucket)).containsOnlyKeys("team/a/m/0_0", "team/b/m/0_0");
            assertThat(a.description()).isEqualTo("Cloud Storage store gs://" + bucket + "/team/a/");
        }
    }

    @Test
    void smallBlocksGoUpInOneRequestAndLargeOnesResumablyBothWrittenOnce() {
        String bucket = newBucket();
        byte[] large = new byte[(1 << 20) + 12_345];
        new Random(3).nextBytes(large);
        try (BlockStore s = store(bucket).resumable(1 << 20, 256 * 1024).build()) {
            gcs.log.clear();
            s.put("small", ByteBuffer.wrap(new byte[1000]));
            assertThat(gcs.log).anyMatch(l -> l.startsWith("POST /upload/storage/v1/b/" + bucket + "/o")
                    && l.contains("uploadType=multipart") && l.contains("ifGenerationMatch=0"));

            gcs.log.clear();
            s.put("large", ByteBuffer.wrap(large));
            assertThat(gcs.log).anyMatch(l -> l.contains("uploadType=resumable") && l.contains("ifGenerationMatch=0"));
            assertThat(gcs.log.stream().filter(l -> l.startsWith("PUT ") && l.contains("upload_id"))).hasSizeGreaterThan(4);
            assertThat(s.get("large")).isEqualTo(ByteBuffer.wrap(large));

            assertThatThrownBy(() -> s.put("large", ByteBuffer.wrap(new byte[(1 << 20) + 1])))
                    .isInstanceOf(BlockExistsException.class).hasMessageContaining("large");
            assertThatThrownBy(() -> s.put("small", ByteBuffer.wrap(new byte[1])))
                    .isInstanceOf(BlockExistsException.class).hasMessageContaining("small");
            assertThat(s.get("large")).as("the first object stays").isEqualTo(ByteBuffer.wrap(large));
        }
    }

    @Test
    void throttlingAndServerErrorsAreRetriedWithBackoff() {
        String bucket = newBucket();
        try (BlockStore s = store(bucket).build()) {
            gcs.failNext(2, 503);
            s.put("k", ByteBuffer.wrap(new byte[] {7}));
            gcs.failNext(2, 429);
            assertThat(s.get("k").get(0)).isEqualTo((byte) 7);
            gcs.failNext(2, 503);
            assertThat(s.list("")).containsExactly("k");
        }
    }

    @Test
    void aDroppedConnectionAndAStalledDownloadAreRetried() {
        String bucket = newBucket();
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) 3);
        try (BlockStore s = store(bucket).timeouts(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(300)).build()) {
            s.put("k", ByteBuffer.wrap(block));
            int before = gcs.requests.get();
            gcs.dropNext(1);
            assertThat(s.get("k").remaining()).isEqualTo(block.length);
            gcs.stallNextDownloads(1, 2_000);
            ByteBuffer read = s.get("k");
            byte[] bytes = new byte[read.remaining()];
            read.get(bytes);
            assertThat(bytes).as("the whole block, after a retry").isEqualTo(block);
            assertThat(gcs.requests.get() - before).as("requests: two gets, each retried once").isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void throttlingBeyondTheRetriesFailsNamingTheObjectAndTheStatus() {
        String bucket = newBucket();
        try (BlockStore s = store(bucket).maxAttempts(3).build()) {
            gcs.failNext(1000, 429);
            try {
                assertThatThrownBy(() -> s.get("ns/A/0_0")).isInstanceOf(StoreException.class)
                        .hasMessageContaining("gs://" + bucket + "/ns/A/0_0").hasMessageContaining("429");
            } finally {
                gcs.failNext(0, 503);
            }
        }
    }

    @Test
    void settingsAndKeysAreCheckedBeforeAnyRequest() {
        assertThatThrownBy(() -> GcsBlockStore.builder().bucket("Bad Bucket!").resumable(-1, 1000).build())
                .hasMessageContaining("bucket 'Bad Bucket!'").hasMessageContaining("multiple of 256 KiB")
                .hasMessageContaining("must not be negative");
        int before = gcs.requests.get();
        try (BlockStore s = store(newBucket()).prefix("p".repeat(1000)).build()) {
            assertThatThrownBy(() -> s.put("k".repeat(30), ByteBuffer.allocate(1))).isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("more than Cloud Storage's 1024");
            assertThatThrownBy(() -> s.get("../x")).isInstanceOf(InvalidKeyException.class);
        }
        assertThat(gcs.requests.get()).as("requests made").isEqualTo(before);
    }

    @Test
    void gsLocationsOpenThroughTheStoreSpi() {
        String bucket = newBucket();
        try (BlockStore s = BlockStores.open("gs://" + bucket + "/jobs/x/", section -> section.equals("stores.gs")
                ? Map.of("host", gcs.host(), "project", "numpywren-test") : Map.of())) {
            assertThat(s).isInstanceOf(GcsBlockStore.class);
            assertThat(((GcsBlockStore) s).prefix()).isEqualTo("jobs/x");
            s.put("a", ByteBuffer.wrap(new byte[] {1}));
            assertThat(gcs.objects(bucket)).containsOnlyKeys("jobs/x/a");
        }
        assertThatThrownBy(() -> BlockStores.open("gs:///x", section -> Map.of())).hasMessageContaining("names no bucket");
    }
}

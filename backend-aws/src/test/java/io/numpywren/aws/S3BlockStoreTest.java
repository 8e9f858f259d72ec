package io.numpywren.aws;

import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InvalidKeyException;
import io.numpywren.storage.StoreException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the BlockStore suite does not cover: key prefixes, multipart uploads, retries of
 * throttled requests and the errors S3 gives, against S3Mock and, for faults S3Mock cannot
 * make, a scripted server speaking S3's wire format.
 */
class S3BlockStoreTest {
    private static final long MIB = 1024 * 1024;

    /** Counts the S3 operations a client starts, by name. */
    private static final class Operations implements ExecutionInterceptor {
        final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            counts.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME),
                    k -> new AtomicInteger()).incrementAndGet();
        }

        int of(String operation) {
            AtomicInteger n = counts.get(operation);
            return n == null ? 0 : n.get();
        }

        int total() {
            return counts.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.duplicate().get(raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    @Test
    public void storesWithPrefixesShareABucketWithoutSeeingEachOther() {
        S3Mock s3 = S3Mock.get();
        String bucket = s3.newBucket();
        try (BlockStore a = s3.storeBuilder(bucket).prefix("jobs/a").build();
             BlockStore b = s3.storeBuilder(bucket).prefix("jobs/b").build();
             BlockStore whole = s3.storeBuilder(bucket).build()) {
            a.put("x/0_0", text("from a"));
            b.put("x/0_0", text("from b"));
            b.put("y", text("only b"));

            assertThat(a.list("")).containsExactly("x/0_0");
            assertThat(b.list("")).containsExactly("x/0_0", "y");
            assertThat(whole.list("")).containsExactly("jobs/a/x/0_0", "jobs/b/x/0_0", "jobs/b/y");
            assertThat(text(a.get("x/0_0"))).isEqualTo("from a");
            assertThat(a.exists("y")).isFalse();

            assertThat(b.deletePrefix("")).isEqualTo(2);
            assertThat(whole.list("")).containsExactly("jobs/a/x/0_0");
            assertThat(a.description()).isEqualTo("s3://" + bucket + "/jobs/a/");
        }
    }

    @Test
    public void aKeyTooLongForS3BelowThePrefixIsRejectedBeforeAnyRequest() {
        S3Mock s3 = S3Mock.get();
        Operations ops = new Operations();
        try (BlockStore store = s3.storeBuilder(s3.newBucket()).prefix("some/prefix")
                .overrideConfiguration(o -> o.addExecutionInterceptor(ops)).build()) {
            String key = "k".repeat(1020);

            assertThatThrownBy(() -> store.put(key, text("x"))).isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("1032 bytes").hasMessageContaining("1024").hasMessageContaining("some/prefix/");
            assertThatThrownBy(() -> store.get("a/../b")).isInstanceOf(InvalidKeyException.class);
            assertThat(ops.total()).as("requests made").isZero();
            assertThat(store.list("")).isEmpty();
        }
    }

    @Test
    public void objectsAboveTheThresholdGoUpInPartsAndRoundTrip() {
        S3Mock s3 = S3Mock.get();
        Operations ops = new Operations();
        try (BlockStore store = s3.storeBuilder(s3.newBucket()).multipart(5 * MIB, 5 * MIB)
                .overrideConfiguration(o -> o.addExecutionInterceptor(ops)).build()) {
            byte[] exact = new byte[(int) (5 * MIB)];
            byte[] big = new byte[(int) (12 * MIB + 3)];
            new Random(1).nextBytes(exact);
            new Random(2).nextBytes(big);

            store.put("at-threshold", ByteBuffer.wrap(exact));
            assertThat(ops.of("PutObject")).isEqualTo(1);
            assertThat(ops.of("UploadPart")).isZero();

            // A view into a larger buffer: only [position, limit) is stored.
            ByteBuffer view = ByteBuffer.allocate(big.length + 10);
            view.position(7);
            view.put(big);
            view.position(7).limit(7 + big.length);
            store.put("above", view.asReadOnlyBuffer());

            assertThat(ops.of("CreateMultipartUpload")).isEqualTo(1);
            assertThat(ops.of("UploadPart")).isEqualTo(3);
            assertThat(ops.of("CompleteMultipartUpload")).isEqualTo(1);
            assertThat(ops.of("PutObject")).isEqualTo(1);
            assertThat(view.position()).isEqualTo(7);
            assertThat(bytesOf(store.get("above"))).isEqualTo(big);
            assertThat(bytesOf(store.get("at-threshold"))).isEqualTo(exact);
            assertThat(store.list("")).containsExactly("above", "at-threshold");
        }
    }

    private static byte[] bytesOf(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.duplicate().get(raw);
        return raw;
    }

    @Test
    public void theBuilderRejectsBadSettingsSayingWhich() {
        assertThatThrownBy(() -> S3BlockStore.builder().build()).hasMessageContaining("needs a bucket");
        assertThatThrownBy(() -> S3BlockStore.builder().bucket("Bad_Bucket").build())
                .hasMessageContaining("'Bad_Bucket' is not a valid S3 bucket name");
        assertThatThrownBy(() -> S3BlockStore.builder().bucket("ok-bucket").prefix("a/../b").build())
                .hasMessageContaining("prefix").hasMessageContaining("'..'");
        assertThatThrownBy(() -> S3BlockStore.builder().bucket("ok-bucket").multipart(8 * MIB, MIB).build())
                .hasMessageContaining("at least " + 5 * MIB);
    }

    // ---------------------------------------------------------------- a scripted S3

    private static byte[] error(String code, String message) {
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message><RequestId>r1</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
    }

    private static RawHttpServer.Response slowDown() {
        return RawHttpServer.Response.of(503, "Slow Down", error("SlowDown", "Please reduce your request rate."),
                "Content-Type", "application/xml");
    }

    private static S3BlockStore storeOn(RawHttpServer server, int maxAttempts) {
        return S3BlockStore.builder().bucket("scripted").prefix("p").region(S3Mock.REGION)
                .endpoint(URI.create("http://" + server.hostAndPort())).credentials(S3Mock.credentials())
                .retries(maxAttempts, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20)).build();
    }

    @Test
    public void aThrottledReadIsRetriedUntilItSucceeds() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        AtomicInteger throttles = new AtomicInteger(2);
        try (RawHttpServer server = new RawHttpServer("scripted-s3", r -> {
            requests.add(r.method() + " " + r.path());
            if (throttles.getAndDecrement() > 0) {
                return slowDown();
            }
            return RawHttpServer.Response.of(200, "OK", "block".getBytes(StandardCharsets.UTF_8),
                    "Content-Type", "application/octet-stream", "ETag", "\"e1\"");
        }); S3BlockStore store = storeOn(server, 5)) {
            assertThat(text(store.get("ns/A/0_0"))).isEqualTo("block");
            assertThat(requests).containsExactly("GET /scripted/p/ns/A/0_0", "GET /scripted/p/ns/A/0_0",
                    "GET /scripted/p/ns/A/0_0");
        }
    }

    @Test
    public void throttlingBeyondTheRetriesFailsNamingTheBucketTheKeyAndTheError() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (RawHttpServer server = new RawHttpServer("scripted-s3", r -> {
            requests.incrementAndGet();
            return slowDown();
        }); S3BlockStore store = storeOn(server, 3)) {
            assertThatThrownBy(() -> store.put("ns/B/1_2", text("x")))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("s3://scripted/p/ns/B/1_2")
                    .hasMessageContaining("503")
                    .hasMessageContaining("SlowDown");
            assertThat(requests.get()).as("attempts").isEqualTo(3);
        }
    }

    @Test
    public void aFailedPartAbortsTheUploadAndTheErrorNamesTheObject() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        try (RawHttpServer server = new RawHttpServer("scripted-s3", r -> {
            requests.add(r.method() + " " + r.path());
            if (r.method().equals("POST") && r.path().contains("uploads")) {
                return RawHttpServer.Response.of(200, "OK", ("<InitiateMultipartUploadResult><Bucket>scripted</Bucket>"
                                + "<Key>p/big</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>")
                                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/xml");
            }
            if (r.method().equals("PUT") && r.path().contains("partNumber=2")) {
                return RawHttpServer.Response.of(403, "Forbidden", error("AccessDenied", "Access Denied"),
                        "Content-Type", "application/xml");
            }
            if (r.method().equals("PUT")) {
                return RawHttpServer.Response.of(200, "OK", null, "ETag", "\"part\"");
            }
            return RawHttpServer.Response.of(204, "No Content", null);
        }); S3BlockStore store = S3BlockStore.builder().bucket("scripted").prefix("p").region(S3Mock.REGION)
                .endpoint(URI.create("http://" + server.hostAndPort())).credentials(S3Mock.credentials())
                .multipart(5 * MIB, 5 * MIB).build()) {
            assertThatThrownBy(() -> store.put("big", ByteBuffer.allocate((int) (11 * MIB))))
                    .isInstanceOf(StoreException.class)
                    .hasMessageContaining("s3://scripted/p/big")
                    .hasMessageContaining("AccessDenied");
            assertThat(requests).anyMatch(r -> r.startsWith("DELETE /scripted/p/big?uploadId=up-1"));
            assertThat(requests).noneMatch(r -> r.startsWith("POST /scripted/p/big?uploadId="));
        }
    }

    /**
     * S3 decides If-None-Match atomically; what this store must do is send it on every put (one
     * PutObject, or the CompleteMultipartUpload of a large one) and never on a replace, and turn
     * S3's 412 into a BlockExistsException, aborting the refused upload's parts.
     */
    @Test
    public void putsAreConditionalOnNoObjectAndA412IsBlockExists() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        try (RawHttpServer server = new RawHttpServer("scripted-s3", r -> {
            String condition = r.header("If-None-Match");
            requests.add(r.method() + " " + r.path() + " If-None-Match=" + condition);
            if (r.method().equals("POST") && r.path().contains("uploads")) {
                return RawHttpServer.Response.of(200, "OK", ("<InitiateMultipartUploadResult><Bucket>scripted</Bucket>"
                                + "<Key>p/big</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>")
                                .getBytes(StandardCharsets.UTF_8), "Content-Type", "application/xml");
            }
            boolean refused = "*".equals(condition);
            if (refused) {
                return RawHttpServer.Response.of(412, "Precondition Failed",
                        error("PreconditionFailed", "At least one of the pre-conditions you specified did not hold"),
                        "Content-Type", "application/xml");
            }
            if (r.method().equals("PUT")) {
                return RawHttpServer.Response.of(200, "OK", null, "ETag", "\"part\"");
            }
            return RawHttpServer.Response.of(204, "No Content", null);
        }); S3BlockStore store = S3BlockStore.builder().bucket("scripted").prefix("p").region(S3Mock.REGION)
                .endpoint(URI.create("http://" + server.hostAndPort())).credentials(S3Mock.credentials())
                .multipart(5 * MIB, 5 * MIB).build()) {
            assertThatThrownBy(() -> store.put("small", ByteBuffer.allocate(10)))
                    .isInstanceOf(BlockExistsException.class).hasMessageContaining("small");
            assertThatThrownBy(() -> store.put("big", ByteBuffer.allocate((int) (11 * MIB))))
                    .isInstanceOf(BlockExistsException.class).hasMessageContaining("big");
            store.replace("small", ByteBuffer.allocate(10));

            assertThat(requests).contains("PUT /scripted/p/small If-None-Match=*",
                    "POST /scripted/p/big?uploadId=up-1 If-None-Match=*",
                    "PUT /scripted/p/small If-None-Match=null");
            assertThat(requests).anyMatch(r -> r.startsWith("DELETE /scripted/p/big?uploadId=up-1"));
            assertThat(requests).noneMatch(r -> r.contains("partNumber") && r.endsWith("=*"));
        }
    }

    @Test
    public void aStoredBlockIsOneS3ObjectUnderItsKey() {
        S3Mock s3 = S3Mock.get();
        String bucket = s3.newBucket();
        try (S3BlockStore store = s3.storeBuilder(bucket).build()) {
            store.put("jobs/j/L/1_0", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        var head = s3.admin().headObject(h -> h.bucket(bucket).key("jobs/j/L/1_0")).join();
        assertThat(head.contentLength()).isEqualTo(3L);
        assertThat(s3.admin().listObjectsV2(l -> l.bucket(bucket)).join().keyCount()).isEqualTo(1);
    }
}

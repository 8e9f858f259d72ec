package io.numpywren.aws;

import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockKeys;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ObjectNames;
import io.numpywren.storage.StoreException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Blocks as objects in an S3 bucket, below an optional key prefix, through the SDK's async
 * client. Keys are checked with {@link BlockKeys} before any request; a put above the multipart
 * threshold is uploaded in parts (aborted if any part fails); throttling (503 SlowDown) and
 * other retryable errors are retried by the SDK's standard retry strategy with exponential
 * backoff and jitter. Every error names the bucket and the object key.
 *
 * <p>A put is one PutObject or one CompleteMultipartUpload, conditional on no object being
 * there ({@code If-None-Match: *}), so blocks are written once; readers see no object or the
 * whole one, never a part.
 */
public final class S3BlockStore implements BlockStore {
    /** S3's longest object key, in UTF-8 bytes. */
    public static final int MAX_OBJECT_KEY_BYTES = 1024;
    public static final long DEFAULT_MULTIPART_THRESHOLD = 8L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    /** S3's smallest part (all but the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** Parts of one upload in flight at once. */
    private static final int PART_LANES = 4;
    private static final int DELETE_BATCH = 1000;

    private final S3AsyncClient client;
    private final boolean ownsClient;
    private final String bucket;
    /** "" or the prefix with its trailing '/'. */
    private final ObjectNames names;
    private final long multipartThreshold;
    private final long partSize;

    private S3BlockStore(Builder b, S3AsyncClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.bucket = b.bucket;
        this.names = new ObjectNames("s3", "S3", b.bucket, b.prefix, MAX_OBJECT_KEY_BYTES);
        this.multipartThreshold = b.multipartThreshold;
        this.partSize = b.partSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bucket() {
        return bucket;
    }

    /** The key prefix without its trailing '/', or "". */
    public String prefix() {
        return names.prefix();
    }

    @Override
    public String description() {
        return names.location();
    }

    /** The object key of a block key, checked before any request is made. */
    private String objectKey(String key) {
        return names.name(key);
    }

    private String where(String objectKey) {
        return names.where(objectKey);
    }

    // ---------------------------------------------------------------- operations

    @Override
    public void put(String key, ByteBuffer bytes) {
        write(key, bytes, false);
    }

    @Override
    public void replace(String key, ByteBuffer bytes) {
        write(key, bytes, true);
    }

    /**
     * One PutObject, or a multipart upload for a large body. A put that must not replace sends
     * {@code If-None-Match: *}, which S3 checks atomically when the object would appear.
     */
    private void write(String key, ByteBuffer bytes, boolean replace) {
        String objectKey = objectKey(key);
        Objects.requireNonNull(bytes, "bytes");
        // Our own view of [position, limit): the caller's position and limit stay as they were.
        ByteBuffer body = bytes.slice();
        long size = body.remaining();
        String ifNoneMatch = replace ? null : "*";
        try {
            if (size > multipartThreshold) {
                putMultipart(objectKey, body, ifNoneMatch);
                return;
            }
            await(client.putObject(r -> r.bucket(bucket).key(objectKey).contentLength(size).ifNoneMatch(ifNoneMatch)
                            .contentType("application/octet-stream"), AsyncRequestBody.fromByteBufferUnsafe(body)),
                    "put", objectKey);
        } catch (S3Failure e) {
            if (e.getCause() instanceof AwsServiceException s && s.statusCode() == 412) {
                throw new BlockExistsException(key, description());
            }
            throw e;
        }
    }

    private void putMultipart(String objectKey, ByteBuffer body, String ifNoneMatch) {
        String uploadId = await(client.createMultipartUpload(r -> r.bucket(bucket).key(objectKey)
                        .contentType("application/octet-stream").checksumAlgorithm(ChecksumAlgorithm.CRC32)),
                "start multipart upload of", objectKey).uploadId();
        long size = body.remaining();
        int parts = (int) ((size + partSize - 1) / partSize);
        CompletedPart[] done = new CompletedPart[parts];
        try {
            // PART_LANES chains, each uploading every PART_LANES-th part in turn: bounded parallelism.
            List<CompletableFuture<?>> lanes = new ArrayList<>();
            for (int lane = 0; lane < Math.min(PART_LANES, parts); lane++) {
                CompletableFuture<?> chain = CompletableFuture.completedFuture(null);
                for (int p = lane; p < parts; p += PART_LANES) {
                    int part = p;
                    chain = chain.thenCompose(ignored -> uploadPart(objectKey, uploadId, body, part, size, done));
                }
                lanes.add(chain);
            }
            await(CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)), "upload a part of", objectKey);
            await(client.completeMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId)
                    .ifNoneMatch(ifNoneMatch).multipartUpload(m -> m.parts(done))), "complete multipart upload of",
                    objectKey);
        } catch (RuntimeException e) {
            // Parts of an upload that is neither completed nor aborted are stored (and billed) forever.
            try {
                await(client.abortMultipartUpload(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId)),
                        "abort multipart upload of", objectKey);
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        }
    }

    private CompletableFuture<Void> uploadPart(String objectKey, String uploadId, ByteBuffer body, int part, long size,
                                               CompletedPart[] done) {
        long offset = part * partSize;
        int length = (int) Math.min(partSize, size - offset);
        ByteBuffer slice = body.duplicate();
        slice.position((int) offset).limit((int) offset + length);
        ByteBuffer partBytes = slice.slice();
        return client.uploadPart(r -> r.bucket(bucket).key(objectKey).uploadId(uploadId).partNumber(part + 1)
                                .contentLength((long) length).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                        AsyncRequestBody.fromByteBufferUnsafe(partBytes))
                .thenAccept(r -> done[part] = CompletedPart.builder().partNumber(part + 1).eTag(r.eTag())
                        .checksumCRC32(r.checksumCRC32()).build());
    }

    @Override
    public ByteBuffer get(String key) {
        String objectKey = objectKey(key);
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = await(client.getObject(r -> r.bucket(bucket).key(objectKey), AsyncResponseTransformer.toBytes()),
                    "get", objectKey);
        } catch (S3Failure e) {
            if (isNotFound(e.getCause())) {
                throw new BlockNotFoundException(key, description());
            }
            throw e;
        }
        return ByteBuffer.wrap(bytes.asByteArrayUnsafe()).asReadOnlyBuffer();
    }

    @Override
    public boolean exists(String key) {
        String objectKey = objectKey(key);
        try {
            await(client.headObject(r -> r.bucket(bucket).key(objectKey)), "head", objectKey);
            return true;
        } catch (S3Failure e) {
            if (isNotFound(e.getCause())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * S3's DeleteObject answers the same whether or not the object existed, so the answer comes
     * from a HEAD first; a concurrent delete of the same key may make both callers see true.
     */
    @Override
    public boolean delete(String key) {
        String objectKey = objectKey(key);
        if (!exists(key)) {
            return false;
        }
        await(client.deleteObject(r -> r.bucket(bucket).key(objectKey)), "delete", objectKey);
        return true;
    }

    @Override
    public List<String> list(String prefix) {
        BlockKeys.validatePrefix(prefix);
        List<String> keys = new ArrayList<>();
        for (String objectKey : listObjectKeys(names.namePrefix(prefix))) {
            keys.add(names.key(objectKey));
        }
        // S3 lists in UTF-8 byte order, which for the ASCII keys BlockKeys allows is String order;
        // sorting again costs little and keeps the contract with stand-ins that differ.
        Collections.sort(keys);
        return keys;
    }

    private List<String> listObjectKeys(String objectPrefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String continuation = token;
            ListObjectsV2Response page = await(client.listObjectsV2(r -> r.bucket(bucket).prefix(objectPrefix)
                    .continuationToken(continuation)), "list", objectPrefix + "*");
            for (S3Object o : page.contents()) {
                keys.add(o.key());
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    @Override
    public int deletePrefix(String prefix) {
        BlockKeys.validatePrefix(prefix);
        return deleteObjects(listObjectKeys(names.namePrefix(prefix)), "delete objects below", names.namePrefix(prefix));
    }

    /** DeleteObjects, up to 1,000 keys a request. */
    @Override
    public void deleteAll(java.util.Collection<String> keys) {
        List<String> objects = new ArrayList<>();
        for (String key : keys) {
            objects.add(names.name(key));
        }
        deleteObjects(objects, "delete objects", objects.isEmpty() ? "" : objects.get(0) + " and others");
    }

    private int deleteObjects(List<String> objectNames, String what, String where) {
        int deleted = 0;
        for (int from = 0; from < objectNames.size(); from += DELETE_BATCH) {
            List<ObjectIdentifier> batch = new ArrayList<>();
            for (String k : objectNames.subList(from, Math.min(objectNames.size(), from + DELETE_BATCH))) {
                batch.add(ObjectIdentifier.builder().key(k).build());
            }
            DeleteObjectsResponse r = await(client.deleteObjects(d -> d.bucket(bucket)
                    .delete(del -> del.objects(batch).quiet(false))), what, where);
            if (r.hasErrors() && !r.errors().isEmpty()) {
                var first = r.errors().get(0);
                throw new StoreException("deleting " + where(first.key()) + " failed: " + first.code() + ": "
                        + first.message() + " (" + r.errors().size() + " of " + batch.size() + " deletes failed)");
            }
            deleted += r.deleted().size();
        }
        return deleted;
    }

    @Override
    public void close() {
        if (ownsClient) {
            client.close();
        }
    }

    // ---------------------------------------------------------------- errors

    /** A failed request; its cause is the SDK's exception. */
    private static final class S3Failure extends StoreException {
        S3Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static boolean isNotFound(Throwable t) {
        return t instanceof NoSuchKeyException
                || (t instanceof AwsServiceException s && s.statusCode() == 404
                && !"NoSuchBucket".equals(s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode()));
    }

    /** The result of a request; a failure becomes a StoreException naming the operation and the object. */
    private <T> T await(CompletableFuture<T> request, String operation, String objectKey) {
        try {
            return request.get();
        } catch (InterruptedException e) {
            request.cancel(true);
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted during S3 " + operation + " " + where(objectKey), e);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            throw new S3Failure("S3 " + operation + " " + where(objectKey) + " failed: " + describe(cause), cause);
        }
    }

    private static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static String describe(Throwable t) {
        if (t instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            return s.statusCode() + " " + s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage();
        }
        if (t instanceof SdkException) {
            return t.getMessage();
        }
        return t.toString();
    }

    // ---------------------------------------------------------------- configuration

    /**
     * Where the bucket is and how to reach it. Credentials come from the SDK's default provider
     * chain unless a provider is given (tests against a stand-in give static dummy ones).
     */
    public static final class Builder {
        private String bucket;
        private String prefix = "";
        private String region;
        private URI endpoint;
        private Boolean pathStyle;
        private AwsCredentialsProvider credentials;
        private int maxAttempts = 10;
        private Duration baseDelay = Duration.ofMillis(100);
        private Duration throttlingBaseDelay = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(20);
        private long multipartThreshold = DEFAULT_MULTIPART_THRESHOLD;
        private long partSize = DEFAULT_PART_SIZE;
        private int maxConnections = 64;
        private Duration readTimeout = Duration.ofSeconds(30);
        private Consumer<ClientOverrideConfiguration.Builder> override = o -> { };
        private S3AsyncClient client;

        private Builder() {
        }

        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /** A key prefix every block key is stored below (without a trailing '/'); "" for none. */
        public Builder prefix(String prefix) {
            this.prefix = prefix == null ? "" : prefix;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** An endpoint other than AWS's (an S3-compatible store or a stand-in). */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Path-style addressing (endpoint/bucket/key); by default on exactly when an endpoint is given. */
        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        public Builder credentials(AwsCredentialsProvider credentials) {
            this.credentials = credentials;
            return this;
        }

        /**
         * Attempts per request (the SDK's standard strategy: exponential backoff with jitter from
         * {@code baseDelay}, from {@code throttlingBaseDelay} after throttling such as 503 SlowDown,
         * each delay at most {@code maxBackoff}).
         */
        public Builder retries(int maxAttempts, Duration baseDelay, Duration throttlingBaseDelay, Duration maxBackoff) {
            this.maxAttempts = maxAttempts;
            this.baseDelay = baseDelay;
            this.throttlingBaseDelay = throttlingBaseDelay;
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** Objects larger than {@code threshold} bytes are uploaded in parts of {@code partSize} bytes. */
        public Builder multipart(long threshold, long partSize) {
            this.multipartThreshold = threshold;
            this.partSize = partSize;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * How long a response may go without sending a byte before the attempt fails and is
         * retried (the SDK's default is 30 s).
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
            return this;
        }

        /** Applied after this builder's own settings, e.g. to add an execution interceptor. */
        public Builder overrideConfiguration(Consumer<ClientOverrideConfiguration.Builder> override) {
            this.override = Objects.requireNonNull(override, "override");
            return this;
        }

        /** Uses a client made elsewhere (the connection settings here are then unused); the store does not close it. */
        public Builder client(S3AsyncClient client) {
            this.client = client;
            return this;
        }

        private void validate() {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("the S3 block store needs a bucket");
            }
            if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
                throw new IllegalArgumentException("'" + bucket + "' is not a valid S3 bucket name (3-63 characters: "
                        + "a-z 0-9 . -, starting and ending with a letter or digit)");
            }
            ObjectNames.prefixProblem(prefix).ifPresent(problem -> {
                throw new IllegalArgumentException("the S3 store's " + problem);
            });
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
            }
            if (partSize < MIN_PART_SIZE) {
                throw new IllegalArgumentException("the multipart part size must be at least " + MIN_PART_SIZE
                        + " bytes (S3's minimum), got " + partSize);
            }
            if (partSize > Integer.MAX_VALUE || multipartThreshold < 0) {
                throw new IllegalArgumentException("multipart threshold " + multipartThreshold + " and part size "
                        + partSize + " must be non-negative and at most 2 GiB");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
            }
        }

        /** An S3 client with this builder's region, endpoint, addressing, credentials and retries. */
        public S3AsyncClient newClient() {
            validate();
            S3AsyncClientBuilder b = S3AsyncClient.builder()
                    .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                    .forcePathStyle(pathStyle != null ? pathStyle : endpoint != null)
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                            .maxConcurrency(maxConnections)
                            .readTimeout(readTimeout)
                            .connectionAcquisitionTimeout(Duration.ofMinutes(2)))
                    .overrideConfiguration(o -> {
                        o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(maxAttempts)
                                .backoffStrategy(BackoffStrategy.exponentialDelay(baseDelay, maxBackoff))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(throttlingBaseDelay, maxBackoff))
                                // Many workers share no token bucket; each retries its own requests.
                                .circuitBreakerEnabled(false)
                                .build());
                        override.accept(o);
                    });
            if (region != null && !region.isBlank()) {
                b.region(Region.of(region));
            }
            if (endpoint != null) {
                b.endpointOverride(endpoint);
            }
            try {
                return b.build();
            } catch (SdkException e) {
                throw new IllegalArgumentException("cannot create the S3 client for bucket " + bucket + ": "
                        + e.getMessage() + (region == null ? " (set the region)" : ""), e);
            }
        }

        public S3BlockStore build() {
            validate();
            return client != null ? new S3BlockStore(this, client, false) : new S3BlockStore(this, newClient(), true);
        }
    }
}

package io.numpywren.gcp;

import com.google.api.gax.paging.Page;
import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.WriteChannel;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Blob;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ObjectNames;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Blocks as objects in a Cloud Storage bucket, below an optional key prefix, through Google's
 * {@code google-cloud-storage} client (its JSON API over HTTP). A block up to the resumable
 * threshold goes up in one request; a larger one as a resumable upload in chunks, so that a
 * dropped connection resumes instead of starting over. Every put is conditional on no object
 * being there ({@code ifGenerationMatch=0}), so blocks are written once; a replace is not.
 * Throttling (429) and server errors (5xx) are retried with exponential backoff by the client's
 * retry settings, which retry conditional writes and reads alike. Credentials come from Google's
 * Application Default Credentials unless others are given (a stand-in takes none). Every error
 * names the bucket and the object.
 */
public final class GcsBlockStore implements BlockStore {
    /** Cloud Storage's longest object name, in UTF-8 bytes. */
    public static final int MAX_OBJECT_NAME_BYTES = 1024;
    /** Blocks above this go up as resumable uploads. */
    public static final long DEFAULT_RESUMABLE_THRESHOLD = 8L * 1024 * 1024;
    /** The chunk of a resumable upload; Cloud Storage wants multiples of 256 KiB. */
    public static final int DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;

    /** Cloud Storage takes at most 100 calls in one batch request. */
    static final int DELETE_BATCH = 100;

    private final Storage storage;
    private final String bucket;
    private final ObjectNames names;
    private final long resumableThreshold;
    private final int chunkBytes;

    private GcsBlockStore(Builder b) {
        this.bucket = b.bucket;
        this.names = new ObjectNames("gs", "Cloud Storage", b.bucket, b.prefix, MAX_OBJECT_NAME_BYTES);
        this.resumableThreshold = b.resumableThreshold;
        this.chunkBytes = b.chunkBytes;
        StorageOptions.Builder options = StorageOptions.http()
                .setRetrySettings(RetrySettings.newBuilder()
                        .setMaxAttempts(b.maxAttempts)
                        .setInitialRetryDelayDuration(Duration.ofMillis(100))
                        .setRetryDelayMultiplier(2.0)
                        .setMaxRetryDelayDuration(Duration.ofSeconds(10))
                        .setTotalTimeoutDuration(Duration.ofMinutes(5))
                        .build());
        // A read that stalls this long fails and is retried, instead of holding a worker until its timeout.
        options.setTransportOptions(HttpTransportOptions.newBuilder()
                .setConnectTimeout((int) b.connectTimeout.toMillis()).setReadTimeout((int) b.readTimeout.toMillis()).build());
        if (b.projectId != null) {
            options.setProjectId(b.projectId);
        }
        if (b.host != null) {
            options.setHost(b.host);
        }
        if (b.credentials != null) {
            options.setCredentials(b.credentials);
        }
        this.storage = options.build().getService();
    }

    public static Builder builder() {
        return new Builder();
    }

    public String bucket() {
        return bucket;
    }

    /** The client, for deploy's bucket IAM policy. */
    Storage storage() {
        return storage;
    }

    public String prefix() {
        return names.prefix();
    }

    private String objectName(String key) {
        return names.name(key);
    }

    private String where(String name) {
        return names.where(name);
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

    private void write(String key, ByteBuffer bytes, boolean replace) {
        String name = objectName(key);
        Objects.requireNonNull(bytes, "bytes");
        ByteBuffer body = bytes.slice();
        BlobInfo info = BlobInfo.newBuilder(BlobId.of(bucket, name)).setContentType("application/octet-stream").build();
        try {
            if (body.remaining() <= resumableThreshold) {
                byte[] content = new byte[body.remaining()];
                body.get(content);
                // Blocks of doubles hardly compress: gzip would only cost CPU on both ends.
                if (replace) {
                    storage.create(info, content, Storage.BlobTargetOption.disableGzipContent());
                } else {
                    storage.create(info, content, Storage.BlobTargetOption.doesNotExist(),
                            Storage.BlobTargetOption.disableGzipContent());
                }
                return;
            }
            Storage.BlobWriteOption[] options = replace
                    ? new Storage.BlobWriteOption[] {Storage.BlobWriteOption.disableGzipContent()}
                    : new Storage.BlobWriteOption[] {Storage.BlobWriteOption.doesNotExist(),
                            Storage.BlobWriteOption.disableGzipContent()};
            try (WriteChannel channel = storage.writer(info, options)) {
                channel.setChunkSize(chunkBytes);
                while (body.hasRemaining()) {
                    channel.write(body);
                }
            }
        } catch (StorageException e) {
            if (e.getCode() == 412) {
                throw new BlockExistsException(key, description());
            }
            throw failure("put", name, e);
        } catch (IOException e) {
            if (e.getCause() instanceof StorageException s && s.getCode() == 412) {
                throw new BlockExistsException(key, description());
            }
            throw new io.numpywren.storage.StoreException("Cloud Storage put " + where(name) + " failed: " + e, e);
        }
    }

    @Override
    public ByteBuffer get(String key) {
        String name = objectName(key);
        try {
            return ByteBuffer.wrap(storage.readAllBytes(BlobId.of(bucket, name))).asReadOnlyBuffer();
        } catch (StorageException e) {
            if (e.getCode() == 404) {
                throw new BlockNotFoundException(key, description());
            }
            throw failure("get", name, e);
        }
    }

    @Override
    public boolean exists(String key) {
        String name = objectName(key);
        try {
            return storage.get(BlobId.of(bucket, name), Storage.BlobGetOption.fields(Storage.BlobField.NAME)) != null;
        } catch (StorageException e) {
            throw failure("check", name, e);
        }
    }

    @Override
    public boolean delete(String key) {
        String name = objectName(key);
        try {
            return storage.delete(BlobId.of(bucket, name));
        } catch (StorageException e) {
            throw failure("delete", name, e);
        }
    }

    /** Cloud Storage's JSON batch requests, up to 100 deletes each (its limit on calls per batch). */
    @Override
    public void deleteAll(java.util.Collection<String> keys) {
        List<BlobId> ids = new ArrayList<>();
        for (String key : keys) {
            ids.add(BlobId.of(bucket, objectName(key))); // every key checked before anything is deleted
        }
        for (int from = 0; from < ids.size(); from += DELETE_BATCH) {
            List<BlobId> batch = ids.subList(from, Math.min(ids.size(), from + DELETE_BATCH));
            try {
                storage.delete(batch); // false for an object already gone
            } catch (StorageException e) {
                throw failure("delete", batch.get(0).getName() + " and " + (batch.size() - 1) + " others", e);
            }
        }
    }

    @Override
    public List<String> list(String prefixOfKeys) {
        String namePrefix = names.namePrefix(prefixOfKeys);
        List<String> keys = new ArrayList<>();
        try {
            Page<Blob> page = storage.list(bucket, Storage.BlobListOption.prefix(namePrefix),
                    Storage.BlobListOption.fields(Storage.BlobField.NAME));
            for (Blob blob : page.iterateAll()) {
                keys.add(names.key(blob.getName()));
            }
        } catch (StorageException e) {
            throw failure("list", namePrefix + "*", e);
        }
        Collections.sort(keys);
        return keys;
    }

    @Override
    public String description() {
        return "Cloud Storage store " + names.location();
    }

    @Override
    public void close() {
        try {
            storage.close();
        } catch (Exception e) {
            // the client's connections close with the JVM anyway
        }
    }

    private io.numpywren.storage.StoreException failure(String operation, String name, StorageException e) {
        return new io.numpywren.storage.StoreException("Cloud Storage " + operation + " " + where(name) + " failed: "
                + e.getCode() + " " + (e.getReason() == null ? "" : e.getReason() + ": ") + e.getMessage(), e);
    }

    // ---------------------------------------------------------------- configuration

    /** Where the bucket is and how to reach it; credentials from Application Default Credentials unless given. */
    public static final class Builder {
        private String bucket;
        private String prefix = "";
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration readTimeout = Duration.ofSeconds(20);
        private String projectId;
        private String host;
        private Credentials credentials;
        private long resumableThreshold = DEFAULT_RESUMABLE_THRESHOLD;
        private int chunkBytes = DEFAULT_CHUNK_BYTES;
        private int maxAttempts = 6;

        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /** Blocks live below this prefix ("" for the bucket's root); surrounding slashes are dropped. */
        public Builder prefix(String prefix) {
            this.prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
            return this;
        }

        public Builder projectId(String projectId) {
            this.projectId = projectId;
            return this;
        }

        /** A Cloud Storage endpoint other than Google's (a stand-in), such as http://127.0.0.1:port. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Credentials other than Application Default Credentials; a stand-in takes {@link NoCredentials}. */
        public Builder credentials(Credentials credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder noCredentials() {
            return credentials(NoCredentials.getInstance());
        }

        /** Blocks above {@code threshold} bytes go up resumably in chunks of {@code chunkBytes} (a multiple of 256 KiB). */
        public Builder resumable(long threshold, int chunkBytes) {
            this.resumableThreshold = threshold;
            this.chunkBytes = chunkBytes;
            return this;
        }

        /** Attempts per request, the first included, for throttling and server errors. */
        /** How long connecting, and each read of an answer, may take before the request fails and is retried (20 s each by default). */
        public Builder timeouts(Duration connect, Duration read) {
            this.connectTimeout = connect;
            this.readTimeout = read;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public GcsBlockStore build() {
            List<String> problems = new ArrayList<>();
            if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")) {
                problems.add("bucket '" + bucket + "' is not a Cloud Storage bucket name (3-222 of a-z 0-9 . _ -)");
            }
            ObjectNames.prefixProblem(prefix).ifPresent(problems::add);
            if (chunkBytes < 256 * 1024 || chunkBytes % (256 * 1024) != 0) {
                problems.add("the resumable chunk must be a positive multiple of 256 KiB, got " + chunkBytes);
            }
            if (resumableThreshold < 0) {
                problems.add("the resumable threshold must not be negative, got " + resumableThreshold);
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()
                    || readTimeout.toMillis() > Integer.MAX_VALUE || connectTimeout.toMillis() > Integer.MAX_VALUE) {
                problems.add("timeouts must be positive and below 24 days, got " + connectTimeout + " and " + readTimeout);
            }
            if (maxAttempts < 1) {
                problems.add("maxAttempts must be at least 1, got " + maxAttempts);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Cloud Storage store: " + String.join("; ", problems));
            }
            return new GcsBlockStore(this);
        }
    }
}

package io.numpywren.azure;

import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.batch.BlobBatch;
import com.azure.storage.blob.batch.BlobBatchClient;
import com.azure.storage.blob.batch.BlobBatchClientBuilder;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.models.ParallelTransferOptions;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ObjectNames;
import io.numpywren.storage.StoreException;

import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Blocks as block blobs in an Azure Blob Storage container, below an optional prefix, through
 * Azure's {@code azure-storage-blob} client on the JDK's HTTP client.
 *
 * <ul>
 *   <li>A block up to {@link #DEFAULT_SINGLE_UPLOAD_BYTES} goes up in one Put Blob; a larger one
 *       as staged blocks of that size, committed by one Put Block List.</li>
 *   <li>Blocks are written once: every put carries {@code If-None-Match: *} (on the commit, for
 *       staged blocks), decided by the service atomically; a put of an existing key throws
 *       {@link BlockExistsException}. Only {@link #replace} overwrites.</li>
 *   <li>Throttling (429), timeouts and server errors (5xx) are retried with exponential backoff.</li>
 *   <li>Credentials: a connection string, for development (Azurite, or an account key), else
 *       {@code DefaultAzureCredential} (environment, workload or managed identity, Azure CLI);
 *       the store never logs either.</li>
 * </ul>
 */
public final class BlobBlockStore implements BlockStore {
    /** Blob Storage's longest blob name, in characters (as UTF-8 bytes here, which is stricter). */
    public static final int MAX_BLOB_NAME_BYTES = 1024;
    public static final long DEFAULT_SINGLE_UPLOAD_BYTES = 8L * 1024 * 1024;
    /** Blob Batch takes at most 256 sub-requests. */
    static final int DELETE_BATCH = 256;

    private final BlobServiceClient service;
    private final BlobContainerClient container;
    private final BlobBatchClient batches;
    /**
     * Set once the service refuses a whole batch as malformed (Azurite does: it wants path-style
     * sub-request paths, which the SDK does not send); deletes go one by one from then on.
     */
    private volatile boolean batchesRefused;
    private final ObjectNames names;
    private final String account;
    private final long singleUploadBytes;

    private BlobBlockStore(Builder b) {
        BlobServiceClientBuilder builder = new BlobServiceClientBuilder()
                .httpClient(new JdkHttpClientBuilder().build())
                .retryOptions(new RequestRetryOptions(RetryPolicyType.EXPONENTIAL, b.maxTries,
                        (int) b.tryTimeout.toSeconds(), 100L, 10_000L, null));
        if (b.connectionString != null) {
            builder.connectionString(b.connectionString);
        } else {
            builder.endpoint(b.endpoint.toString()).credential(new DefaultAzureCredentialBuilder().build());
        }
        this.service = builder.buildClient();
        this.container = service.getBlobContainerClient(b.container);
        // Container-scoped, so that a role on the container alone is enough for it.
        this.batches = new BlobBatchClientBuilder(container).buildClient();
        this.account = service.getAccountName();
        this.names = new ObjectNames("az", "Blob Storage", b.container, b.prefix, MAX_BLOB_NAME_BYTES);
        this.singleUploadBytes = b.singleUploadBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String container() {
        return names.bucket();
    }

    public String prefix() {
        return names.prefix();
    }

    public String account() {
        return account;
    }

    /** The container's client, for tests and deploy. */
    BlobContainerClient containerClient() {
        return container;
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
        String name = names.name(key);
        Objects.requireNonNull(bytes, "bytes");
        BlobParallelUploadOptions options = new BlobParallelUploadOptions(BinaryData.fromByteBuffer(bytes.slice()))
                .setParallelTransferOptions(new ParallelTransferOptions().setBlockSizeLong(singleUploadBytes)
                        .setMaxSingleUploadSizeLong(singleUploadBytes).setMaxConcurrency(2));
        if (!replace) {
            options.setRequestConditions(new BlobRequestConditions().setIfNoneMatch("*"));
        }
        try {
            container.getBlobClient(name).uploadWithResponse(options, null, Context.NONE);
        } catch (BlobStorageException e) {
            if (!replace && (e.getStatusCode() == 412 || BlobErrorCode.BLOB_ALREADY_EXISTS.equals(e.getErrorCode()))) {
                throw new BlockExistsException(key, description());
            }
            throw failure("put", name, e);
        } catch (UncheckedIOException e) {
            throw new StoreException("Blob Storage put " + names.where(name) + " failed: " + e.getCause(), e);
        }
    }

    @Override
    public ByteBuffer get(String key) {
        String name = names.name(key);
        try {
            return container.getBlobClient(name).downloadContent().toByteBuffer();
        } catch (BlobStorageException e) {
            if (BlobErrorCode.BLOB_NOT_FOUND.equals(e.getErrorCode())) {
                throw new BlockNotFoundException(key, description());
            }
            throw failure("get", name, e);
        }
    }

    @Override
    public boolean exists(String key) {
        String name = names.name(key);
        try {
            return container.getBlobClient(name).exists();
        } catch (BlobStorageException e) {
            throw failure("check", name, e);
        }
    }

    @Override
    public boolean delete(String key) {
        return deleteBlob(names.name(key));
    }

    private boolean deleteBlob(String name) {
        try {
            return container.getBlobClient(name).deleteIfExists();
        } catch (BlobStorageException e) {
            throw failure("delete", name, e);
        }
    }

    /**
     * Blob Batch: up to 256 deletes in one request; an absent blob is skipped. Where the service
     * refuses a batch as a whole, one request a blob.
     */
    @Override
    public void deleteAll(java.util.Collection<String> keys) {
        List<String> blobs = new ArrayList<>();
        for (String key : keys) {
            blobs.add(names.name(key)); // every key checked before anything is deleted
        }
        for (int from = 0; from < blobs.size(); from += DELETE_BATCH) {
            List<String> part = blobs.subList(from, Math.min(blobs.size(), from + DELETE_BATCH));
            if (!batchesRefused && deletedInOneBatch(part)) {
                continue;
            }
            for (String name : part) {
                deleteBlob(name);
            }
        }
    }

    /** Whether the batch ran (each delete done or its blob absent); false if it was refused whole, deleting nothing. */
    private boolean deletedInOneBatch(List<String> part) {
        BlobBatch batch = batches.getBlobBatch();
        List<Response<Void>> answers = new ArrayList<>();
        for (String name : part) {
            answers.add(batch.deleteBlob(container.getBlobContainerName(), name));
        }
        try {
            batches.submitBatchWithResponse(batch, false, null, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() != 400) {
                throw failure("delete", part.get(0) + " and " + (part.size() - 1) + " others", e);
            }
            batchesRefused = true;
            return false;
        } catch (IllegalStateException unparsableAnswer) {
            // A refusal answered without the per-request parts the SDK expects (Azurite, for one sub-request).
            batchesRefused = true;
            return false;
        }
        for (int i = 0; i < part.size(); i++) {
            int status;
            try {
                status = answers.get(i).getStatusCode();
            } catch (BlobStorageException failed) { // a sub-request that failed answers with its error
                status = failed.getStatusCode();
            }
            if (status != 202 && status != 404) {
                throw new StoreException("Blob Storage delete " + names.where(part.get(i)) + " failed in a batch: "
                        + status);
            }
        }
        return true;
    }

    @Override
    public List<String> list(String prefixOfKeys) {
        String namePrefix = names.namePrefix(prefixOfKeys);
        List<String> keys = new ArrayList<>();
        try {
            for (BlobItem item : container.listBlobs(new ListBlobsOptions().setPrefix(namePrefix), null)) {
                keys.add(names.key(item.getName()));
            }
        } catch (BlobStorageException e) {
            throw failure("list", namePrefix + "*", e);
        }
        Collections.sort(keys);
        return keys;
    }

    @Override
    public String description() {
        return "Blob Storage store " + names.location() + " (account " + account + ")";
    }

    @Override
    public void close() {
        // the client holds no resources of its own beyond the JDK's shared HTTP connections
    }

    private StoreException failure(String operation, String name, BlobStorageException e) {
        String hint = BlobErrorCode.CONTAINER_NOT_FOUND.equals(e.getErrorCode())
                ? " (the container " + names.bucket() + " does not exist in account " + account + ")" : "";
        return new StoreException("Blob Storage " + operation + " " + names.where(name) + " failed: " + e.getStatusCode()
                + " " + e.getErrorCode() + hint, e);
    }

    // ---------------------------------------------------------------- configuration

    /** Where the container is and how to reach it. */
    public static final class Builder {
        private String container;
        private String prefix = "";
        private URI endpoint;
        private String connectionString;
        private long singleUploadBytes = DEFAULT_SINGLE_UPLOAD_BYTES;
        private int maxTries = 6;
        private Duration tryTimeout = Duration.ofMinutes(5);

        private Builder() {
        }

        public Builder container(String container) {
            this.container = container;
            return this;
        }

        /** Blocks live below this prefix ("" for the container's root); surrounding slashes are dropped. */
        public Builder prefix(String prefix) {
            this.prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
            return this;
        }

        /** The account's blob endpoint, such as https://myaccount.blob.core.windows.net, reached with DefaultAzureCredential. */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** A connection string (Azurite's, or one with an account key): for development; it wins over the endpoint. */
        public Builder connectionString(String connectionString) {
            this.connectionString = connectionString;
            return this;
        }

        /** Blocks up to this size go up in one request; larger ones as staged blocks of this size. */
        public Builder singleUploadBytes(long bytes) {
            this.singleUploadBytes = bytes;
            return this;
        }

        /** Attempts per request (retrying 429, timeouts and 5xx) and how long each may take. */
        public Builder retries(int maxTries, Duration tryTimeout) {
            this.maxTries = maxTries;
            this.tryTimeout = tryTimeout;
            return this;
        }

        public BlobBlockStore build() {
            List<String> problems = new ArrayList<>();
            if (container == null || !container.matches("[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]")) {
                problems.add("container '" + container + "' is not a Blob Storage container name (3-63 of a-z 0-9 -, "
                        + "no double hyphen, starting and ending with a letter or digit)");
            }
            ObjectNames.prefixProblem(prefix).ifPresent(problems::add);
            if (connectionString == null && endpoint == null) {
                problems.add("neither an endpoint (https://<account>.blob.core.windows.net) nor a connection string is set");
            }
            if (singleUploadBytes < 1024 * 1024 || singleUploadBytes > 4000L * 1024 * 1024) {
                problems.add("the single-upload size must lie in [1 MiB, 4000 MiB], got " + singleUploadBytes);
            }
            if (maxTries < 1 || tryTimeout.isNegative() || tryTimeout.isZero() || tryTimeout.toSeconds() > Integer.MAX_VALUE) {
                problems.add("retries need at least one try and a positive timeout, got " + maxTries + " and " + tryTimeout);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Blob Storage store: " + String.join("; ", problems));
            }
            try {
                return new BlobBlockStore(this);
            } catch (IllegalArgumentException e) {
                // a malformed connection string or endpoint, as the client reports it (without echoing the secret)
                throw new IllegalArgumentException("Blob Storage store: the " + (connectionString != null
                        ? "connection string" : "endpoint " + endpoint) + " is not usable: " + e.getMessage(), e);
            }
        }
    }
}

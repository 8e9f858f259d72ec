package io.numpywren.azure;

import io.numpywren.task.TaskSigner;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Azure Functions worker's configuration, from its app settings (environment variables;
 * Azure sets {@code WEBSITE_SITE_NAME} and {@code WEBSITE_INSTANCE_ID} itself).
 *
 * @param container        the container the blocks live in ({@value #CONTAINER}, required)
 * @param prefix           the blob-name prefix below which they live ({@value #PREFIX}, optional)
 * @param blobEndpoint     the account's blob endpoint, reached with the app's managed identity
 *                         ({@value #BLOB_ENDPOINT}), unless a connection string is given
 * @param connectionString a connection string ({@value #CONNECTION_STRING}: Azurite, for tests); never logged
 * @param allowedRoot      a namespace every task must lie in ({@value #ROOT}, optional)
 * @param kernelProvider   auto, openblas or netlib ({@value #KERNEL_PROVIDER}, default auto)
 * @param taskKey          the key every task must be signed with ({@value #TASK_KEY}, required: a
 *                         Key Vault reference in the app settings resolves to it); never logged
 * @param workerName       how results name this worker: the app and its instance
 */
public record WorkerSettings(String container, String prefix, URI blobEndpoint, String connectionString,
                             String allowedRoot, String kernelProvider, String taskKey, String workerName) {
    public static final String CONTAINER = "NUMPYWREN_CONTAINER";
    public static final String PREFIX = "NUMPYWREN_PREFIX";
    public static final String BLOB_ENDPOINT = "NUMPYWREN_BLOB_ENDPOINT";
    public static final String CONNECTION_STRING = "NUMPYWREN_STORAGE_CONNECTION_STRING";
    public static final String ROOT = "NUMPYWREN_ROOT";
    public static final String KERNEL_PROVIDER = "NUMPYWREN_KERNEL_PROVIDER";
    public static final String TASK_KEY = "NUMPYWREN_TASK_KEY";

    /** Reads the variables; anything missing is an IllegalArgumentException naming every variable at fault. */
    public static WorkerSettings from(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String container = env.getOrDefault(CONTAINER, "").trim();
        if (container.isEmpty()) {
            problems.add(CONTAINER + " is not set (the container the blocks live in)");
        }
        String connection = env.getOrDefault(CONNECTION_STRING, "").trim();
        String endpointText = env.getOrDefault(BLOB_ENDPOINT, "").trim();
        URI endpoint = null;
        if (connection.isEmpty()) {
            if (endpointText.isEmpty()) {
                problems.add(BLOB_ENDPOINT + " is not set (the storage account's blob endpoint, "
                        + "https://<account>.blob.core.windows.net)");
            } else {
                try {
                    endpoint = URI.create(endpointText);
                } catch (IllegalArgumentException e) {
                    problems.add(BLOB_ENDPOINT + " '" + endpointText + "' is not a URL");
                }
            }
        }
        String key = env.getOrDefault(TASK_KEY, "").trim();
        if (key.isEmpty()) {
            problems.add(TASK_KEY + " is not set (the key tasks are signed with: a Key Vault reference to the "
                    + "deployment's secret)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the numpywren worker is misconfigured: " + String.join("; ", problems));
        }
        return new WorkerSettings(container, env.getOrDefault(PREFIX, "").trim(), endpoint, connection,
                env.getOrDefault(ROOT, "").trim(), env.getOrDefault(KERNEL_PROVIDER, "auto").trim(), key,
                "azfn:" + env.getOrDefault("WEBSITE_SITE_NAME", "numpywren-worker") + "/"
                        + env.getOrDefault("WEBSITE_INSTANCE_ID", "local"));
    }

    /** The store this worker reads and writes. */
    public BlobBlockStore.Builder store() {
        BlobBlockStore.Builder b = BlobBlockStore.builder().container(container).prefix(prefix);
        return connectionString.isEmpty() ? b.endpoint(blobEndpoint) : b.connectionString(connectionString);
    }

    /** The key this worker checks every task against. */
    public TaskSigner signer() {
        return TaskSigner.fromBase64(taskKey, "the app setting " + TASK_KEY);
    }

    /** Never shows the key or the connection string. */
    @Override
    public String toString() {
        return "WorkerSettings[container=" + container + ", prefix=" + prefix + ", endpoint=" + blobEndpoint
                + ", root=" + allowedRoot + ", kernelProvider=" + kernelProvider + ", worker=" + workerName + "]";
    }
}

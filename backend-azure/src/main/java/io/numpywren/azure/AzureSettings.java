package io.numpywren.azure;

import io.numpywren.backend.SettingsReader;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The azure backend's settings, as {@code numpywren.backends.azure} holds them (flattened names),
 * validated together so that one error names every setting at fault.
 *
 * @param subscription   the subscription of the resource group (deploy only; may be empty otherwise)
 * @param resourceGroup  the resource group of the function app, its storage account and key vault
 * @param region         the Azure region (the setting {@code location}), such as eastus
 * @param appName        the function app, reached at https://&lt;app-name&gt;.azurewebsites.net
 * @param storageAccount the storage account the blocks live in
 * @param container      the container the blocks live in
 * @param prefix         the blob-name prefix below which they live ("" for none)
 * @param url            the worker function's URL (default: the app's /api/task)
 * @param blobEndpoint   the account's blob endpoint (default: https://&lt;account&gt;.blob.core.windows.net)
 * @param connectionString a connection string for the blocks, for development (Azurite); never logged
 * @param keyVault       the key vault holding the task key and the function key
 * @param taskKey        the task-signing key itself, for development only (a stand-in); never logged
 * @param functionKey    the function key itself, for development only; never logged
 * @param concurrency    the app's maximum of instances, and the most requests in flight
 * @param memoryMb       an instance's memory on the Flex Consumption plan: 2048 or 4096
 * @param timeout        the longest a task may run: at most 230 s, Azure's limit for an HTTP answer
 */
public record AzureSettings(String subscription, String resourceGroup, String region, String appName,
                            String storageAccount, String container, String prefix, URI url, URI blobEndpoint,
                            String connectionString, String keyVault, String taskKey, String functionKey,
                            int concurrency, int memoryMb, Duration timeout) {
    public static final String TASK_KEY_SECRET = "numpywren-task-key";
    public static final String FUNCTION_KEY_SECRET = "numpywren-function-key";
    /** Azure's load balancer ends an HTTP request after 230 s, whatever the function's own timeout. */
    public static final Duration MAX_HTTP_ANSWER = Duration.ofSeconds(230);

    public static AzureSettings from(Map<String, String> settings) {
        SettingsReader r = new SettingsReader("numpywren.backends.azure", settings);
        String subscription = r.text("subscription", System.getenv().getOrDefault("AZURE_SUBSCRIPTION_ID", ""));
        String group = r.text("resource-group");
        if (!group.isEmpty() && !group.matches("[-\\w._()]{1,90}")) {
            r.problem("resource-group '" + group + "' is not a resource group name");
        }
        String region = r.text("location", "eastus");
        if (!region.matches("[a-z0-9]+")) {
            r.problem("location '" + region + "' is not an Azure region such as eastus");
        }
        String app = r.text("app-name");
        if (app.isEmpty()) {
            r.problem("app-name is not set (the function app, globally unique: <app-name>.azurewebsites.net)");
        } else if (!app.matches("[a-z0-9][a-z0-9-]{0,58}[a-z0-9]")) {
            r.problem("app-name '" + app + "' must be 2-60 characters of a-z 0-9 -, not starting or ending with -");
        }
        String account = r.text("storage-account");
        if (account.isEmpty()) {
            r.problem("storage-account is not set (the account the blocks live in)");
        } else if (!account.matches("[a-z0-9]{3,24}")) {
            r.problem("storage-account '" + account + "' is not a storage account name (3-24 of a-z 0-9)");
        }
        String container = r.text("container", "numpywren");
        String prefix = r.text("prefix").replaceAll("^/+|/+$", "");
        URI url = r.url("url");
        if (url == null && !app.isEmpty()) {
            url = URI.create("https://" + app + ".azurewebsites.net/api/" + WorkerFunction.NAME);
        }
        URI blobEndpoint = r.url("blob-endpoint");
        if (blobEndpoint == null && !account.isEmpty()) {
            blobEndpoint = URI.create("https://" + account + ".blob.core.windows.net");
        }
        String vault = r.text("key-vault", app.isEmpty() ? "" : (app + "-kv").substring(0, Math.min(24, app.length() + 3)));
        if (!vault.isEmpty() && !vault.matches("[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]")) {
            r.problem("key-vault '" + vault + "' is not a key vault name (3-24 of a-z A-Z 0-9 -, starting with a letter)");
        }
        int concurrency = r.integer("concurrency", 100, 1, 1000);
        int memory = r.integer("memory", 4096, 2048, 4096);
        if (memory != 2048 && memory != 4096) {
            r.problem("memory must be 2048 or 4096 (a Flex Consumption instance's sizes), got " + memory);
        }
        int timeoutSeconds = r.integer("timeout-seconds", (int) MAX_HTTP_ANSWER.toSeconds(), 1,
                (int) MAX_HTTP_ANSWER.toSeconds());
        r.throwIfProblems();
        return new AzureSettings(subscription, group, region, app, account, container, prefix, url, blobEndpoint,
                r.text("connection-string"), vault, r.text("task-key"), r.text("function-key"), concurrency, memory,
                Duration.ofSeconds(timeoutSeconds));
    }

    /** Where the blocks live, as az://container/prefix/. */
    public String location() {
        return "az://" + container + "/" + (prefix.isEmpty() ? "" : prefix + "/");
    }

    /** The key vault's URL. */
    public URI vaultUrl() {
        return URI.create("https://" + keyVault + ".vault.azure.net");
    }

    /** A store on this container and prefix: DefaultAzureCredential at the blob endpoint, or the connection string. */
    public BlobBlockStore.Builder store() {
        BlobBlockStore.Builder b = BlobBlockStore.builder().container(container).prefix(prefix);
        return connectionString.isEmpty() ? b.endpoint(blobEndpoint) : b.connectionString(connectionString);
    }

    /** Never shows a key or the connection string. */
    @Override
    public String toString() {
        return "AzureSettings[app=" + appName + ", group=" + resourceGroup + ", region=" + region + ", store="
                + location() + ", account=" + storageAccount + ", url=" + url + ", vault=" + keyVault + ", concurrency="
                + concurrency + ", memory=" + memoryMb + ", timeout=" + timeout + "]";
    }
}

package io.numpywren.azure;

import io.numpywren.backend.SettingsReader;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStoreProvider;

import java.net.URI;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code numpywren.store = "az://container/prefix"} (or {@code azblob://}), or {@code "az"} for the
 * azure backend's container and prefix. Settings from {@code numpywren.stores.az}, else the azure
 * backend's ({@code storage-account}, {@code blob-endpoint}, {@code connection-string}):
 * {@code account} (the storage account, reached at https://&lt;account&gt;.blob.core.windows.net
 * with {@code DefaultAzureCredential}) or {@code endpoint} (another blob endpoint, the same way),
 * or {@code connection-string} (for development: Azurite's). With none of them, the connection
 * string in the environment variable {@value #CONNECTION_STRING_VARIABLE} is used, as Azure's own
 * tools do.
 */
public final class BlobBlockStoreProvider implements BlockStoreProvider {
    public static final String CONNECTION_STRING_VARIABLE = "AZURE_STORAGE_CONNECTION_STRING";

    @Override
    public String scheme() {
        return "az";
    }

    @Override
    public java.util.Set<String> aliases() {
        return java.util.Set.of("azblob");
    }

    @Override
    public BlockStore open(String location, Function<String, Map<String, String>> sections) {
        // The azure backend's account and connection apply to its store too, unless stores.az says otherwise.
        Map<String, String> backend = sections.apply("backends.azure");
        Map<String, String> settings = new java.util.HashMap<>();
        putIfSet(settings, "account", backend.get("storage-account"));
        putIfSet(settings, "endpoint", backend.get("blob-endpoint"));
        putIfSet(settings, "connection-string", backend.get("connection-string"));
        sections.apply("stores.az").forEach((k, v) -> putIfSet(settings, k, v));
        String container;
        String prefix;
        if (location.equals("az")) {
            container = backend.getOrDefault("container", "numpywren").trim();
            prefix = backend.getOrDefault("prefix", "").trim();
        } else {
            String rest;
            if (location.startsWith("az://")) {
                rest = location.substring("az://".length());
            } else if (location.startsWith("azblob://")) {
                rest = location.substring("azblob://".length());
            } else {
                throw new IllegalArgumentException("a Blob Storage store is az://container/prefix or az, got '" + location + "'");
            }
            int slash = rest.indexOf('/');
            container = slash < 0 ? rest : rest.substring(0, slash);
            prefix = slash < 0 ? "" : rest.substring(slash + 1);
            if (container.isEmpty()) {
                throw new IllegalArgumentException("the Blob Storage store '" + location + "' names no container "
                        + "(az://container/prefix)");
            }
        }
        BlobBlockStore.Builder b = BlobBlockStore.builder().container(container).prefix(prefix);
        connect(b, new SettingsReader("numpywren.stores.az", settings), System.getenv(CONNECTION_STRING_VARIABLE));
        return b.build();
    }

    private static void putIfSet(Map<String, String> settings, String key, String value) {
        if (value != null && !value.isBlank()) {
            settings.put(key, value);
        }
    }

    /** How the store reaches its account: see the class comment for the order. */
    static void connect(BlobBlockStore.Builder b, SettingsReader settings, String environmentConnectionString) {
        String connectionString = settings.text("connection-string");
        URI endpoint = settings.url("endpoint");
        String account = settings.text("account");
        if (!account.isEmpty() && !account.matches("[a-z0-9]{3,24}")) {
            settings.problem("account '" + account + "' is not a storage account name (3-24 of a-z 0-9)");
        }
        settings.throwIfProblems();
        if (!connectionString.isEmpty()) {
            b.connectionString(connectionString);
        } else if (endpoint != null) {
            b.endpoint(endpoint);
        } else if (!account.isEmpty()) {
            b.endpoint(URI.create("https://" + account + ".blob.core.windows.net"));
        } else if (environmentConnectionString != null && !environmentConnectionString.isBlank()) {
            b.connectionString(environmentConnectionString.trim());
        } else {
            throw new IllegalArgumentException("numpywren.stores.az: set account (signing in with DefaultAzureCredential),"
                    + " endpoint, or connection-string, or the environment variable " + CONNECTION_STRING_VARIABLE);
        }
    }
}

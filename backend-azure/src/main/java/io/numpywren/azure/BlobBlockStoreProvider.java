package io.numpywren.azure;

import io.numpywren.backend.SettingsReader;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStoreProvider;

import java.net.URI;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code numpywren.store = "az://container/prefix"} (or {@code azblob://}). Settings from
 * {@code numpywren.stores.az}: {@code account} (the storage account, reached at
 * https://&lt;account&gt;.blob.core.windows.net with {@code DefaultAzureCredential}) or
 * {@code endpoint} (another blob endpoint, the same way), or {@code connection-string} (for
 * development: Azurite's). With none of them, the connection string in the environment variable
 * {@value #CONNECTION_STRING_VARIABLE} is used, as Azure's own tools do.
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
        String rest;
        if (location.startsWith("az://")) {
            rest = location.substring("az://".length());
        } else if (location.startsWith("azblob://")) {
            rest = location.substring("azblob://".length());
        } else {
            throw new IllegalArgumentException("a Blob Storage store is az://container/prefix, got '" + location + "'");
        }
        int slash = rest.indexOf('/');
        String container = slash < 0 ? rest : rest.substring(0, slash);
        if (container.isEmpty()) {
            throw new IllegalArgumentException("the Blob Storage store '" + location + "' names no container "
                    + "(az://container/prefix)");
        }
        BlobBlockStore.Builder b = BlobBlockStore.builder().container(container).prefix(slash < 0 ? "" : rest.substring(slash + 1));
        connect(b, new SettingsReader("numpywren.stores.az", sections.apply("stores.az")), System.getenv(CONNECTION_STRING_VARIABLE));
        return b.build();
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

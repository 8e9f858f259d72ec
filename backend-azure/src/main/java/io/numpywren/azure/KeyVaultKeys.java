package io.numpywren.azure;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.SecretClientBuilder;

/**
 * The deployment's two keys in its key vault: the key every task is signed with (the function
 * app reads it through a Key Vault reference in its settings) and the function key the driver
 * sends with each request. The driver reads both with DefaultAzureCredential; neither ever
 * appears in a message or a log. A setting may give either directly, for development only.
 */
public final class KeyVaultKeys {
    private KeyVaultKeys() {
    }

    /** Both keys: the task-signing key (base64) and the function key. */
    public record Keys(String taskKey, String functionKey) {
        /** Never shows either key. */
        @Override
        public String toString() {
            return "Keys[hidden]";
        }
    }

    /** Reads the keys a setting does not give, with one client (one sign-in) for both. */
    public static Keys read(AzureSettings settings) {
        if (!settings.taskKey().isEmpty() && !settings.functionKey().isEmpty()) {
            return new Keys(settings.taskKey(), settings.functionKey());
        }
        if (settings.keyVault().isEmpty()) {
            throw new IllegalArgumentException("numpywren.backends.azure: key-vault is not set, so the keys cannot be read");
        }
        SecretClient client = new SecretClientBuilder().vaultUrl(settings.vaultUrl().toString())
                .credential(new DefaultAzureCredentialBuilder().build()).httpClient(new JdkHttpClientBuilder().build())
                .buildClient();
        return new Keys(settings.taskKey().isEmpty() ? read(client, settings, AzureSettings.TASK_KEY_SECRET) : settings.taskKey(),
                settings.functionKey().isEmpty() ? read(client, settings, AzureSettings.FUNCTION_KEY_SECRET)
                        : settings.functionKey());
    }

    private static String read(SecretClient client, AzureSettings settings, String secret) {
        try {
            return client.getSecret(secret).getValue();
        } catch (HttpResponseException e) {
            throw new IllegalStateException("cannot read the secret " + secret + " from the key vault " + settings.vaultUrl()
                    + ": " + e.getResponse().getStatusCode() + " (numpywren azure deploy creates it; the reader needs the "
                    + "Key Vault Secrets User role on the vault)", e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot read the secret " + secret + " from the key vault " + settings.vaultUrl()
                    + ": " + e.getMessage(), e);
        }
    }
}

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

    /** The task-signing key, base64. */
    public static String taskKey(AzureSettings settings) {
        return settings.taskKey().isEmpty() ? read(settings, AzureSettings.TASK_KEY_SECRET) : settings.taskKey();
    }

    /** The function key. */
    public static String functionKey(AzureSettings settings) {
        return settings.functionKey().isEmpty() ? read(settings, AzureSettings.FUNCTION_KEY_SECRET) : settings.functionKey();
    }

    private static String read(AzureSettings settings, String secret) {
        if (settings.keyVault().isEmpty()) {
            throw new IllegalArgumentException("numpywren.backends.azure: key-vault is not set, so the secret " + secret
                    + " cannot be read");
        }
        SecretClient client = new SecretClientBuilder().vaultUrl(settings.vaultUrl().toString())
                .credential(new DefaultAzureCredentialBuilder().build()).httpClient(new JdkHttpClientBuilder().build())
                .buildClient();
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

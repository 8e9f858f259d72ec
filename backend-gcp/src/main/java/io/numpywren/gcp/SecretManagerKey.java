package io.numpywren.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretManagerServiceSettings;
import com.google.cloud.secretmanager.v1.SecretVersionName;
import io.numpywren.task.TaskSigner;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The deployment's task-signing key in Secret Manager: deploy creates it, the driver reads its
 * latest version to sign each task, and Cloud Functions hands it to the worker as the variable
 * {@value WorkerSettings#TASK_KEY}. The driver reads it with Application Default Credentials; the
 * key itself never appears in a message or a log.
 */
public final class SecretManagerKey {
    private SecretManagerKey() {
    }

    /** A Secret Manager client at the settings' endpoint (Google's unless set). */
    public static SecretManagerServiceClient client(GcpSettings settings) {
        try {
            return SecretManagerServiceClient.create(GoogleApis.at(SecretManagerServiceSettings.newBuilder(),
                    settings.secretsEndpoint()).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Secret Manager client: " + e.getMessage(), e);
        }
    }

    /** The signer for the key in the settings' secret; a failure names the secret and what to do. */
    public static TaskSigner read(GcpSettings settings) {
        try (SecretManagerServiceClient client = client(settings)) {
            return read(client, settings);
        }
    }

    static TaskSigner read(SecretManagerServiceClient client, GcpSettings settings) {
        String value;
        try {
            value = client.accessSecretVersion(SecretVersionName.of(settings.project(), settings.taskKeySecret(), "latest"))
                    .getPayload().getData().toStringUtf8();
        } catch (ApiException | IllegalStateException e) {
            throw new IllegalStateException("cannot read the task-signing key from the Secret Manager secret "
                    + settings.secretResource() + ": " + GoogleApis.describe(e) + " (numpywren gcp deploy creates it; "
                    + "the reader needs roles/secretmanager.secretAccessor on it)", e);
        }
        return TaskSigner.fromBase64(value.trim(), "the Secret Manager secret " + settings.secretResource());
    }
}

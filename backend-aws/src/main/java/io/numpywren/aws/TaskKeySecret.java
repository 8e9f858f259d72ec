package io.numpywren.aws;

import io.numpywren.task.TaskSigner;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClientBuilder;

import java.net.URI;
import java.util.concurrent.CompletionException;

/**
 * The deployment's task-signing key in AWS Secrets Manager: deploy creates it, the driver reads it
 * to sign each task, the worker reads it once per instance to check them. Either side reads it
 * with its own credentials (the SDK's default chain; on Lambda, the function's role, which may
 * read this one secret only). The key itself never appears in a message or a log.
 */
public final class TaskKeySecret {
    private TaskKeySecret() {
    }

    /** A Secrets Manager client (async, on the netty client the worker already carries). */
    public static SecretsManagerAsyncClient client(String region, URI endpoint, AwsCredentialsProvider credentials) {
        SecretsManagerAsyncClientBuilder b = SecretsManagerAsyncClient.builder()
                .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder());
        if (region != null && !region.isBlank()) {
            b.region(Region.of(region));
        }
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        return b.build();
    }

    /** The signer for the key in {@code secretId}; a failure names the secret and what to do. */
    public static TaskSigner read(SecretsManagerAsyncClient client, String secretId) {
        String value;
        try {
            value = client.getSecretValue(r -> r.secretId(secretId)).join().secretString();
        } catch (CompletionException e) {
            throw new IllegalStateException("cannot read the task-signing key from the Secrets Manager secret '"
                    + secretId + "': " + describe(e.getCause()) + " (numpywren aws deploy creates it; the reader needs "
                    + "secretsmanager:GetSecretValue on it)", e.getCause());
        }
        return TaskSigner.fromBase64(value, "the Secrets Manager secret '" + secretId + "'");
    }

    /** Reads the signer with a client of its own, closed afterwards. */
    public static TaskSigner read(String region, URI endpoint, AwsCredentialsProvider credentials, String secretId) {
        try (SecretsManagerAsyncClient client = client(region, endpoint, credentials)) {
            return read(client, secretId);
        } catch (SdkException e) {
            throw new IllegalStateException("cannot reach Secrets Manager for the task-signing key '" + secretId + "': "
                    + e.getMessage(), e);
        }
    }

    static String describe(Throwable t) {
        if (t instanceof AwsServiceException s && s.awsErrorDetails() != null) {
            return s.awsErrorDetails().errorCode() + ": " + s.awsErrorDetails().errorMessage();
        }
        return String.valueOf(t.getMessage());
    }
}

package io.numpywren.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import io.numpywren.backend.BackendContext;
import io.numpywren.backend.BackendProvider;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.task.TaskSigner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * {@code numpywren.backend = gcp}: {@link CloudFunctionsBackend} on the function that
 * {@code numpywren gcp deploy} made, with its settings from {@code numpywren.backends.gcp}
 * ({@link GcpSettings}). The task-signing key is read from Secret Manager, the function's URL
 * from Cloud Functions unless {@code url} is set, and each request carries an ID token for that
 * URL, all with Application Default Credentials. The job's store must be the Cloud Storage bucket
 * and prefix the workers use, or the workers would not find the blocks.
 */
public final class GcpBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "gcp";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        GcpSettings settings = GcpSettings.from(context.settings());
        if (!(context.store() instanceof GcsBlockStore gcs)
                || !gcs.bucket().equals(settings.bucket()) || !gcs.prefix().equals(settings.prefix())) {
            throw new IllegalArgumentException("the gcp backend's workers read and write " + settings.location()
                    + ", but the job's store is " + (context.store() == null ? "none" : context.store().description())
                    + ": use --store " + settings.location().replaceFirst("/$", "") + " (the same bucket and prefix)");
        }
        TaskSigner signer = SecretManagerKey.read(settings);
        URI url = settings.url() != null ? settings.url() : functionUrl(settings);
        return new CloudFunctionsBackend(url, settings.concurrency(), settings.timeout(),
                (long) settings.memoryMib() << 20, signer, IdTokens.forUrl(url));
    }

    /** The deployed function's URL, as Cloud Functions reports it. */
    static URI functionUrl(GcpSettings settings) {
        try (FunctionServiceClient functions = FunctionServiceClient.create(
                GoogleApis.at(FunctionServiceSettings.newBuilder(), settings.functionsEndpoint()).build())) {
            String uri = functions.getFunction(settings.functionResource()).getServiceConfig().getUri();
            if (uri.isEmpty()) {
                throw new IllegalStateException("the function " + settings.functionResource() + " has no URL yet: is "
                        + "its deployment finished? (numpywren gcp deploy waits for it)");
            }
            return URI.create(uri);
        } catch (ApiException e) {
            throw new IllegalStateException("cannot find the worker function " + settings.functionResource() + ": "
                    + GoogleApis.describe(e) + (GoogleApis.notFound(e) ? " (run numpywren gcp deploy first)" : ""), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Cloud Functions client: " + e.getMessage(), e);
        }
    }
}

package io.numpywren.azure;

import io.numpywren.backend.HttpFunctionBackend;
import io.numpywren.task.TaskSigner;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Runs each task as one HTTPS POST of its signed spec to the function app's worker function
 * ({@link WorkerFunction}, {@code /api/task}), through core's {@link HttpFunctionBackend}: at most
 * {@code concurrency} at once (the app's maximum of instances), queued tasks cancellable, 429,
 * 5xx and dropped connections transient. Each request carries the function key in
 * {@code x-functions-key}.
 */
public final class AzureFunctionsBackend extends HttpFunctionBackend {
    /** Azure Functions' limit on an HTTP request's body: 100 MB. */
    public static final long MAX_REQUEST_BYTES = 100L * 1024 * 1024;
    static final Platform AZURE_FUNCTIONS = new Platform("azure", "azfn", MAX_REQUEST_BYTES, AzureSettings.MAX_HTTP_ANSWER,
            "is the function key right? numpywren azure deploy stores it in the key vault",
            "is the function app deployed, and is its URL right?");

    public AzureFunctionsBackend(URI url, int concurrency, Duration timeout, long memoryBytes, TaskSigner signer,
                                 String functionKey) {
        super(AZURE_FUNCTIONS, url, concurrency, timeout, memoryBytes, signer, () -> Map.of("x-functions-key", functionKey));
    }
}

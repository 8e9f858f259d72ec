package io.numpywren.gcp;

import io.numpywren.backend.HttpFunctionBackend;
import io.numpywren.task.TaskSigner;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs each task as one HTTPS POST of its signed spec to the deployed worker function
 * ({@link WorkerFunction}), through core's {@link HttpFunctionBackend}: at most
 * {@code concurrency} at once (the function's maximum of instances), queued tasks cancellable,
 * 429, 5xx and dropped connections transient. Each request carries an ID token for the
 * function's URL when a token source is given (Google's credential chain; a stand-in needs none).
 */
public final class CloudFunctionsBackend extends HttpFunctionBackend {
    /** Cloud Functions' limit on an HTTP request's body: 32 MB. */
    public static final long MAX_REQUEST_BYTES = 32L * 1024 * 1024;
    /** The longest an HTTP function of the 2nd generation may run. */
    public static final Duration MAX_FUNCTION_TIMEOUT = Duration.ofMinutes(60);
    static final Platform CLOUD_FUNCTIONS = new Platform("gcp", "gcf", MAX_REQUEST_BYTES, MAX_FUNCTION_TIMEOUT,
            "may these credentials invoke the function? it needs roles/run.invoker and an ID token for its URL",
            "is the function deployed?");

    /**
     * @param idToken an ID token for {@code url}, fetched for each request (the source caches it), or empty
     */
    public CloudFunctionsBackend(URI url, int concurrency, Duration timeout, long memoryBytes, TaskSigner signer,
                                 Supplier<Optional<String>> idToken) {
        super(CLOUD_FUNCTIONS, url, concurrency, timeout, memoryBytes, signer,
                () -> idToken.get().map(token -> Map.of("Authorization", "Bearer " + token)).orElse(Map.of()));
    }
}

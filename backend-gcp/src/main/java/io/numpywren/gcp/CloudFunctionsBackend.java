package io.numpywren.gcp;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.backend.QueuedInvocations;
import io.numpywren.task.MalformedTaskException;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs each task as one HTTPS POST of its signed spec to the deployed worker function
 * ({@link WorkerFunction}), at most {@code concurrency} at once (the function's maximum of
 * instances): submissions beyond that wait here, in order, and can be cancelled until they are
 * sent. Each request carries an ID token for the function's URL when a token source is given
 * (Google's credential chain; a stand-in needs none).
 *
 * <p>Outcomes: the worker's own result, also with a 4xx (a refused or forged spec is
 * deterministic); 429, 500, 502, 503, 504 and dropped connections are transient, since Cloud
 * Functions answers them for throttling, cold starts and instances that died; any other status
 * (401, 403 without a result: the caller may not invoke the function; 404: no such function) is
 * deterministic and named.
 */
public final class CloudFunctionsBackend implements ComputeBackend {
    /** Cloud Functions' limit on an HTTP request's body: 32 MB. */
    public static final long MAX_REQUEST_BYTES = 32L * 1024 * 1024;
    /** The longest an HTTP function of the 2nd generation may run. */
    public static final Duration MAX_FUNCTION_TIMEOUT = Duration.ofMinutes(60);

    private final HttpClient http;
    private final URI url;
    private final int concurrency;
    private final Duration timeout;
    private final long memoryBytes;
    private final TaskSigner signer;
    private final Supplier<Optional<String>> idToken;
    private final QueuedInvocations invocations;

    /**
     * @param url         the function's URL
     * @param concurrency the most requests in flight: the function's maximum of instances
     * @param timeout     the function's timeout, the longest a task may run
     * @param memoryBytes the function's memory, which bounds the blocks one task may hold
     * @param signer      signs every task with the deployment's key, without which the function refuses it
     * @param idToken     an ID token for {@code url}, fetched for each request (the source caches it), or empty
     */
    public CloudFunctionsBackend(URI url, int concurrency, Duration timeout, long memoryBytes, TaskSigner signer,
                                 Supplier<Optional<String>> idToken) {
        this.url = Objects.requireNonNull(url, "url");
        if (concurrency < 1) {
            throw new IllegalArgumentException("the gcp backend's concurrency must be at least 1, got " + concurrency);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_FUNCTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("the function timeout must lie in (0, 60 min], got " + timeout);
        }
        if (memoryBytes < 128L << 20) {
            throw new IllegalArgumentException("a function needs at least 128 MiB of memory, got " + memoryBytes + " bytes");
        }
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.memoryBytes = memoryBytes;
        this.signer = Objects.requireNonNull(signer, "signer");
        this.idToken = Objects.requireNonNull(idToken, "idToken");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        this.invocations = new QueuedInvocations(concurrency, this::invoke, worker(), "the gcp backend");
    }

    @Override
    public String name() {
        return "gcp";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(concurrency, timeout, MAX_REQUEST_BYTES, true, memoryBytes);
    }

    @Override
    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        byte[] payload = signer.sign(spec);
        if (payload.length > MAX_REQUEST_BYTES) {
            return CompletableFuture.completedFuture(TaskResult.failure(spec, worker(), TaskError.deterministic(
                    "malformed-spec", "task " + spec.taskId() + " of job " + spec.jobId() + " rejected: its spec is "
                            + payload.length + " bytes, more than Cloud Functions' limit of " + MAX_REQUEST_BYTES
                            + " bytes for a request (maxRequestBytes)", null)));
        }
        return invocations.submit(spec);
    }

    private CompletableFuture<TaskResult> invoke(TaskSpec spec) {
        HttpRequest.Builder request;
        try {
            // Signed as it leaves, not when queued: a task may wait longer than a signature lasts.
            request = HttpRequest.newBuilder(url).timeout(timeout.plusSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(signer.sign(spec)));
            idToken.get().ifPresent(token -> request.header("Authorization", "Bearer " + token));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(TaskResult.failure(spec, worker(),
                    TaskError.transientError("auth", "preparing the request for " + what(spec) + " failed: " + e)));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> error != null ? failed(spec, error) : answered(spec, response));
    }

    private String worker() {
        return "gcf:" + url.getHost();
    }

    private String what(TaskSpec spec) {
        return "task " + spec.taskId() + " (attempt " + spec.attempt() + ") of job " + spec.jobId() + " at " + url;
    }

    private TaskResult failed(TaskSpec spec, Throwable error) {
        Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return TaskResult.failure(spec, worker(), TaskError.transientError("transport",
                "sending " + what(spec) + " failed: " + t));
    }

    private TaskResult answered(TaskSpec spec, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        byte[] body = response.body();
        TaskResult result = null;
        try {
            result = TaskCodec.decodeResult(body);
        } catch (MalformedTaskException notAResult) {
            // a status of the platform's own, answered before the worker ran
        }
        if (result != null && (status == 200 || status == 400 || status == 403)) {
            if (result.jobId() == null && !result.ok()) {
                return TaskResult.failure(spec, result.worker(), result.error()); // it names no task: this one
            }
            if (!Objects.equals(result.jobId(), spec.jobId()) || !Objects.equals(result.taskId(), spec.taskId())
                    || result.attempt() != spec.attempt()) {
                return TaskResult.failure(spec, worker(), TaskError.deterministic("internal", "the function answered "
                        + what(spec) + " with the result of task " + result.taskId() + " (attempt " + result.attempt()
                        + ") of job " + result.jobId(), null));
            }
            return result;
        }
        String text = status + " " + new String(body, 0, Math.min(body.length, 500), StandardCharsets.UTF_8).strip();
        if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
            return TaskResult.failure(spec, worker(), TaskError.transientError(status == 429 ? "throttled" : "service",
                    "the function answered " + what(spec) + " with " + text));
        }
        String hint = status == 401 || status == 403 ? " (may these credentials invoke the function? it needs "
                + "roles/run.invoker and an ID token for its URL)" : status == 404 ? " (is the function deployed?)" : "";
        return TaskResult.failure(spec, worker(), TaskError.deterministic("invoke",
                "the function refused " + what(spec) + ": " + text + hint, null));
    }

    @Override
    public boolean cancel(String jobId, String taskId) {
        return invocations.cancel(jobId, taskId);
    }

    @Override
    public void close() {
        invocations.close();
    }
}

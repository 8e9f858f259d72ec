package io.numpywren.backend;

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
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Runs each task as one HTTPS POST of its signed spec to an HTTP-triggered worker function (Cloud
 * Functions, Azure Functions: core's {@link io.numpywren.task.SignedTaskService} behind either),
 * at most {@code concurrency} at once: submissions beyond that wait here, in order, and can be
 * cancelled until they are sent. Each request carries the platform's credentials as headers,
 * fetched per request (the source caches them).
 *
 * <p>Outcomes: the worker's own result, also with a 4xx (a refused or forged spec is
 * deterministic); 429, 500, 502, 503, 504 and dropped connections are transient, since these
 * platforms answer them for throttling, cold starts and instances that died; any other status
 * (401 or 403 without a result: the caller may not invoke the function; 404: no such function)
 * is deterministic and named, with the platform's hint.
 */
public class HttpFunctionBackend implements ComputeBackend {
    /**
     * What differs between platforms.
     *
     * @param name            the backend's name ({@code gcp}, {@code azure})
     * @param workerPrefix    how results name the invoked function's host ({@code gcf}, {@code azfn})
     * @param maxRequestBytes the platform's limit on a request's body
     * @param maxTimeout      the longest a function may run
     * @param authHint        what to check when the platform refuses the caller (401, 403)
     * @param missingHint     what to check when the function is not found (404)
     */
    public record Platform(String name, String workerPrefix, long maxRequestBytes, Duration maxTimeout, String authHint,
                           String missingHint) {
    }

    private final Platform platform;
    private final HttpClient http;
    private final URI url;
    private final int concurrency;
    private final Duration timeout;
    private final long memoryBytes;
    private final TaskSigner signer;
    private final Supplier<Map<String, String>> credentials;
    private final QueuedInvocations invocations;

    /**
     * @param url         the function's URL
     * @param concurrency the most requests in flight: the function's maximum of instances
     * @param timeout     the function's timeout, the longest a task may run
     * @param memoryBytes the function's memory, which bounds the blocks one task may hold
     * @param signer      signs every task with the deployment's key, without which the function refuses it
     * @param credentials the headers that authorise a request (an ID token, a function key), or none
     */
    public HttpFunctionBackend(Platform platform, URI url, int concurrency, Duration timeout, long memoryBytes,
                               TaskSigner signer, Supplier<Map<String, String>> credentials) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.url = Objects.requireNonNull(url, "url");
        if (concurrency < 1) {
            throw new IllegalArgumentException("the " + platform.name() + " backend's concurrency must be at least 1, got "
                    + concurrency);
        }
        if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(platform.maxTimeout()) > 0) {
            throw new IllegalArgumentException("the function timeout must lie in (0, " + platform.maxTimeout() + "], got "
                    + timeout);
        }
        if (memoryBytes < 128L << 20) {
            throw new IllegalArgumentException("a function needs at least 128 MiB of memory, got " + memoryBytes + " bytes");
        }
        this.concurrency = concurrency;
        this.timeout = timeout;
        this.memoryBytes = memoryBytes;
        this.signer = Objects.requireNonNull(signer, "signer");
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        this.invocations = new QueuedInvocations(concurrency, this::invoke, worker(), "the " + platform.name() + " backend");
    }

    @Override
    public String name() {
        return platform.name();
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(concurrency, timeout, platform.maxRequestBytes(), true, memoryBytes);
    }

    @Override
    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        return invocations.submit(spec);
    }

    private CompletableFuture<TaskResult> invoke(TaskSpec spec) {
        HttpRequest.Builder request;
        try {
            // Signed once, as it leaves, not when queued: a task may wait longer than a signature lasts.
            byte[] payload = signer.sign(spec);
            if (payload.length > platform.maxRequestBytes()) {
                return CompletableFuture.completedFuture(TaskResult.failure(spec, worker(), TaskError.deterministic(
                        "malformed-spec", "task " + spec.taskId() + " of job " + spec.jobId() + " rejected: its spec is "
                                + payload.length + " bytes, more than the platform's limit of " + platform.maxRequestBytes()
                                + " bytes for a request (maxRequestBytes)", null)));
            }
            request = HttpRequest.newBuilder(url).timeout(timeout.plusSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
            credentials.get().forEach(request::header);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(TaskResult.failure(spec, worker(),
                    TaskError.transientError("auth", "preparing the request for " + what(spec) + " failed: " + e)));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> error != null ? failed(spec, error) : answered(spec, response));
    }

    private String worker() {
        return platform.workerPrefix() + ":" + url.getHost();
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
        String hint = status == 401 || status == 403 ? " (" + platform.authHint() + ")"
                : status == 404 ? " (" + platform.missingHint() + ")" : "";
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

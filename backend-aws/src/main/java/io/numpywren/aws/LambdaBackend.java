package io.numpywren.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.QueuedInvocations;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.task.MalformedTaskException;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaAsyncClientBuilder;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotReadyException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Runs each task as one synchronous ({@code RequestResponse}) invocation of the deployed worker
 * function ({@link WorkerHandler}), at most {@code concurrency} at once: submissions beyond that
 * wait here, in order, and can be cancelled until they are sent.
 *
 * <p>Outcomes: the worker's own result; throttling (429), Lambda's service errors and transport
 * failures become transient failures (the SDK does not retry an invocation itself: the scheduler
 * retries with a new attempt number under its lease); an instance that died or timed out
 * ({@code Runtime.ExitError}, {@code Sandbox.Timedout}) is transient; any other error the
 * function raised, and a request Lambda rejects, fail the same way every time and are
 * deterministic.
 */
public final class LambdaBackend implements ComputeBackend {
    /** Lambda's limit on a synchronous invocation's request payload: 6 MB. */
    public static final long MAX_REQUEST_BYTES = 6L * 1024 * 1024;
    /** Lambda's longest function timeout. */
    public static final Duration MAX_FUNCTION_TIMEOUT = Duration.ofMinutes(15);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LambdaAsyncClient client;
    private final boolean ownsClient;
    private final String functionName;
    private final TaskSigner signer;
    private final int concurrency;
    private final int memoryMb;
    private final Duration maxTaskDuration;
    private final QueuedInvocations invocations;

    /**
     * @param client          a Lambda client; with {@code ownsClient} it is closed with the backend
     * @param concurrency     the most invocations in flight (at most the function's and the account's limit)
     * @param maxTaskDuration the function's timeout
     * @param memoryMb        the function's memory, which bounds the blocks one task may hold
     * @param signer          signs every task with the deployment's key ({@link TaskKeySecret}), without
     *                        which the function refuses it
     */
    public LambdaBackend(LambdaAsyncClient client, boolean ownsClient, String functionName, int concurrency,
                         Duration maxTaskDuration, int memoryMb, TaskSigner signer) {
        this.client = Objects.requireNonNull(client, "client");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.ownsClient = ownsClient;
        if (functionName == null || functionName.isBlank()) {
            throw new IllegalArgumentException("the Lambda backend needs the worker function's name");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("the Lambda backend's concurrency must be at least 1, got " + concurrency);
        }
        if (maxTaskDuration.isNegative() || maxTaskDuration.isZero() || maxTaskDuration.compareTo(MAX_FUNCTION_TIMEOUT) > 0) {
            throw new IllegalArgumentException("the function timeout must lie in (0, 15 min], got " + maxTaskDuration);
        }
        if (memoryMb < 128 || memoryMb > 10_240) {
            throw new IllegalArgumentException("a Lambda function has 128 to 10240 MB of memory, got " + memoryMb);
        }
        this.memoryMb = memoryMb;
        this.functionName = functionName;
        this.concurrency = concurrency;
        this.maxTaskDuration = maxTaskDuration;
        this.invocations = new QueuedInvocations(concurrency, this::invoke, worker(), "the Lambda backend");
    }

    /**
     * A Lambda client for this backend: credentials from {@code credentials} (null: the SDK's
     * default provider chain), no SDK-level retries, room for {@code concurrency} calls at once,
     * each allowed to last the function's timeout.
     */
    public static LambdaAsyncClient newClient(String region, URI endpoint, AwsCredentialsProvider credentials,
                                              int concurrency, Duration functionTimeout) {
        Duration callTimeout = functionTimeout.plusSeconds(30);
        LambdaAsyncClientBuilder b = LambdaAsyncClient.builder()
                .credentialsProvider(credentials != null ? credentials : DefaultCredentialsProvider.builder().build())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(concurrency + 2)
                        .readTimeout(callTimeout)
                        .connectionAcquisitionTimeout(Duration.ofMinutes(1)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(callTimeout));
        if (region != null && !region.isBlank()) {
            b.region(Region.of(region));
        }
        if (endpoint != null) {
            b.endpointOverride(endpoint);
        }
        try {
            return b.build();
        } catch (SdkException e) {
            throw new IllegalArgumentException("cannot create the Lambda client: " + e.getMessage()
                    + (region == null ? " (set the region)" : ""), e);
        }
    }

    public String functionName() {
        return functionName;
    }

    @Override
    public String name() {
        return "aws";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(concurrency, maxTaskDuration, MAX_REQUEST_BYTES, true, memoryMb * (1L << 20));
    }

    @Override
    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        return invocations.submit(spec);
    }

    private CompletableFuture<TaskResult> invoke(TaskSpec spec) {
        CompletableFuture<InvokeResponse> call;
        try {
            // Signed once, as it leaves, not when queued: a task may wait longer than a signature lasts.
            byte[] payload = signer.sign(spec);
            if (payload.length > MAX_REQUEST_BYTES) {
                return CompletableFuture.completedFuture(TaskResult.failure(spec, worker(), TaskError.deterministic(
                        "malformed-spec", "task " + spec.taskId() + " of job " + spec.jobId() + " rejected: its spec is "
                                + payload.length + " bytes, more than Lambda's limit of " + MAX_REQUEST_BYTES
                                + " bytes for a synchronous invocation (maxRequestBytes)", null)));
            }
            call = client.invoke(r -> r.functionName(functionName).invocationType(InvocationType.REQUEST_RESPONSE)
                    .payload(SdkBytes.fromByteArrayUnsafe(payload)));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, error) -> {
            try {
                return error != null ? failed(spec, error) : answered(spec, response);
            } catch (RuntimeException e) {
                return TaskResult.failure(spec, worker(), TaskError.deterministic("internal",
                        "reading the answer of function " + functionName + " for task " + spec.taskId()
                                + " failed: " + e, null));
            }
        });
    }

    private String worker() {
        return "lambda:" + functionName;
    }

    private String what(TaskSpec spec) {
        return "task " + spec.taskId() + " (attempt " + spec.attempt() + ") of job " + spec.jobId() + " on function "
                + functionName;
    }

    /** The invocation itself failed: Lambda refused it, or it never came back. */
    private TaskResult failed(TaskSpec spec, Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TooManyRequestsException e) {
            return TaskResult.failure(spec, worker(), TaskError.transientError("throttled",
                    "Lambda throttled " + what(spec) + ": " + serviceError(e)));
        }
        if (t instanceof AwsServiceException e) {
            boolean retryable = e.statusCode() >= 500 || e.isThrottlingException()
                    || e instanceof ResourceConflictException || e instanceof ResourceNotReadyException;
            String message = "invoking " + what(spec) + " failed: " + serviceError(e);
            return TaskResult.failure(spec, worker(), retryable ? TaskError.transientError("service", message)
                    : TaskError.deterministic("invoke", message, null));
        }
        return TaskResult.failure(spec, worker(), TaskError.transientError("transport",
                "invoking " + what(spec) + " failed: " + t.getMessage()));
    }

    private static String serviceError(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? e.getClass().getSimpleName() : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return e.statusCode() + " " + code + ": " + message;
    }

    /** The function answered: its result, or the error it raised. */
    private TaskResult answered(TaskSpec spec, InvokeResponse response) {
        byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArrayUnsafe();
        if (response.functionError() != null) {
            return functionError(spec, payload);
        }
        TaskResult result;
        try {
            result = TaskCodec.decodeResult(payload);
        } catch (MalformedTaskException e) {
            return TaskResult.failure(spec, worker(), TaskError.deterministic("malformed-result",
                    "function " + functionName + " answered " + what(spec) + " with a result this client cannot read"
                            + " (is the deployed worker of another version? redeploy it): " + e.getMessage(), null));
        }
        if (result.jobId() == null && !result.ok()) {
            // The worker could not read the spec at all, so its answer names no task: this one.
            return TaskResult.failure(spec, result.worker(), result.error());
        }
        if (!Objects.equals(result.jobId(), spec.jobId()) || !Objects.equals(result.taskId(), spec.taskId())
                || result.attempt() != spec.attempt()) {
            return TaskResult.failure(spec, worker(), TaskError.deterministic("internal", "function " + functionName
                    + " answered " + what(spec) + " with the result of task " + result.taskId() + " (attempt "
                    + result.attempt() + ") of job " + result.jobId(), null));
        }
        return result;
    }

    /** Lambda's report of an instance that died or ran out of time, which another attempt may survive. */
    private static boolean instanceFailure(String type, String message) {
        return type.startsWith("Sandbox.") || type.equals("Runtime.ExitError") || type.equals("Runtime.Unknown")
                || type.equals("Runtime.OutOfMemory") || type.endsWith("OutOfMemoryError")
                || message.contains("Task timed out");
    }

    private TaskResult functionError(TaskSpec spec, byte[] payload) {
        String type = "";
        String message = new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        try {
            JsonNode error = JSON.readTree(payload);
            if (error != null && error.isObject()) {
                type = error.path("errorType").asText("");
                message = error.path("errorMessage").asText(message);
            }
        } catch (IOException e) {
            // not JSON: report the payload as it is
        }
        String text = "function " + functionName + " failed on " + what(spec) + ": "
                + (type.isEmpty() ? "" : type + ": ") + message;
        return TaskResult.failure(spec, worker(), instanceFailure(type, message)
                ? TaskError.transientError("worker", text)
                : TaskError.deterministic("function-error", text, null));
    }

    @Override
    public boolean cancel(String jobId, String taskId) {
        return invocations.cancel(jobId, taskId);
    }

    @Override
    public void close() {
        if (invocations.close() && ownsClient) {
            client.close();
        }
    }
}

package io.numpywren.aws;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the ComputeBackend suite cannot check from outside the workers' JVMs: the concurrency
 * limit and cancellation (observed at the stand-in), how each of Lambda's failures is
 * classified, the function's own error when it is misconfigured, and the provider's settings.
 */
class LambdaBackendTest {
    private S3BlockStore store;
    private String ns;
    private final List<ComputeBackend> opened = new ArrayList<>();

    @BeforeEach
    void open() {
        store = AwsTck.store();
        ns = "lbt-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() {
        AwsTck.standIn().faults(LambdaStandIn.Faults.NONE);
        AwsTck.standIn().release();
        opened.forEach(ComputeBackend::close);
        store.deletePrefix(ns + "/");
        store.close();
    }

    private LambdaBackend backend() {
        LambdaBackend b = AwsTck.backend();
        opened.add(b);
        return b;
    }

    private TaskSpec scale(String id, int attempt) {
        store.replace(ns + "/A/" + id, BlockCodec.encode(Block.ofRows(new double[] {1, 2}, new double[] {3, 4})));
        return new TaskSpec(TaskSpec.VERSION, ns, id, attempt, ns, List.of(), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of(ns + "/A/" + id),
                List.of(new TaskSpec.OutputBlock(ns + "/B/" + id, "float64")));
    }

    private static TaskResult await(CompletableFuture<TaskResult> f) throws Exception {
        return f.get(60, TimeUnit.SECONDS);
    }

    private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    void resultsNameTheFunctionInstanceThatRanThem() throws Exception {
        LambdaBackend backend = backend();
        List<CompletableFuture<TaskResult>> results = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            results.add(backend.submit(scale("n" + i, 1)).toCompletableFuture());
        }
        Set<String> workers = new HashSet<>();
        for (CompletableFuture<TaskResult> f : results) {
            TaskResult r = await(f);
            assertThat(r.ok()).as("%s", r.error()).isTrue();
            workers.add(r.worker());
        }
        assertThat(workers).isNotEmpty().allMatch(w -> w.matches("lambda:numpywren-worker/instance-[01]-[0-9]+"));
        assertThat(BlockCodec.decode("b", store.get(ns + "/B/n7")).get(1, 1)).isEqualTo(8.0);
    }

    @Test
    void neverInvokesMoreThanItsConcurrencyAndCancelsWhatItHasNotSent() throws Exception {
        LambdaStandIn standIn = AwsTck.standIn();
        LambdaBackend backend = backend();
        standIn.hold();
        standIn.resetPeak();
        long overLimit = standIn.overLimit();
        List<TaskSpec> specs = new ArrayList<>();
        List<CompletableFuture<TaskResult>> results = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            TaskSpec s = scale("c" + i, 1);
            specs.add(s);
            results.add(backend.submit(s).toCompletableFuture());
        }
        awaitCondition("the first two invocations reach the stand-in", () -> standIn.heldCount() == 2);

        assertThat(backend.cancel(ns, "c5")).as("cancel of a task waiting in the backend").isTrue();
        assertThat(backend.cancel(ns, "c0")).as("cancel of a task already sent to Lambda").isFalse();
        assertThat(standIn.heldCount()).isEqualTo(2);
        standIn.release();

        for (int i = 0; i < 7; i++) {
            if (i == 5) {
                assertThat(results.get(i)).isCancelled();
                continue;
            }
            TaskResult r = await(results.get(i));
            assertThat(r.ok()).as("%s: %s", specs.get(i).taskId(), r.error()).isTrue();
        }
        assertThat(standIn.peakInFlight()).as("most invocations at once").isEqualTo(AwsTck.CONCURRENCY);
        assertThat(standIn.overLimit() - overLimit).as("invocations over the function's limit").isZero();
        assertThat(store.exists(ns + "/B/c5")).as("output of the cancelled task").isFalse();
        assertThat(store.exists(ns + "/B/c6")).isTrue();
    }

    @Test
    void aThrottledInvocationIsTransientAndRunsNothing() throws Exception {
        AwsTck.standIn().faults(new LambdaStandIn.Faults(1.0, 0, 0, 1, 0));

        TaskResult r = await(backend().submit(scale("t0", 1)).toCompletableFuture());

        assertThat(r.ok()).isFalse();
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
        assertThat(r.error().type()).isEqualTo("throttled");
        assertThat(r.error().message()).contains("429").contains("TooManyRequestsException").contains("t0");
        assertThat(store.exists(ns + "/B/t0")).isFalse();
    }

    @Test
    void aWorkerThatDiesIsTransientAndANewInstanceTakesOver() throws Exception {
        LambdaStandIn standIn = AwsTck.standIn();
        long restarts = standIn.restarts();
        standIn.faults(new LambdaStandIn.Faults(0, 1.0, 0, 1, 0));
        LambdaBackend backend = backend();

        TaskResult r = await(backend.submit(scale("k0", 1)).toCompletableFuture());

        assertThat(r.ok()).isFalse();
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
        assertThat(r.error().message()).contains("Runtime.ExitError").contains("k0");
        standIn.faults(LambdaStandIn.Faults.NONE);
        TaskResult retry = await(backend.submit(scale("k0", 2)).toCompletableFuture());
        assertThat(retry.ok()).as("%s", retry.error()).isTrue();
        awaitCondition("the killed instance is replaced", () -> standIn.restarts() > restarts);
    }

    @Test
    void aLostResponseIsTransientThoughTheWorkerWroteItsBlock() throws Exception {
        AwsTck.standIn().faults(new LambdaStandIn.Faults(0, 0, 1.0, 1, 0));

        TaskResult r = await(backend().submit(scale("d0", 1)).toCompletableFuture());

        assertThat(r.ok()).isFalse();
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
        assertThat(r.error().type()).isEqualTo("transport");
        assertThat(store.exists(ns + "/B/d0")).as("the block the worker wrote before its answer was lost").isTrue();
    }

    @Test
    void theFunctionsMemoryIsEachWorkersMemoryAndMustBeOneLambdaAllows() {
        LambdaStandIn standIn = AwsTck.standIn();
        try (LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION, standIn.endpoint(),
                S3Mock.credentials(), 1, Duration.ofSeconds(30)), true, AwsTck.FUNCTION, 1, Duration.ofSeconds(30), 1769, AwsTck.signer())) {
            assertThat(backend.capabilities().workerMemoryBytes()).isEqualTo(1769L * 1024 * 1024);
        }
        try (var client = LambdaBackend.newClient(S3Mock.REGION, standIn.endpoint(), S3Mock.credentials(), 1,
                Duration.ofSeconds(30))) {
            assertThatThrownBy(() -> new LambdaBackend(client, false, AwsTck.FUNCTION, 1, Duration.ofSeconds(30), 64, AwsTck.signer()))
                    .hasMessageContaining("128 to 10240 MB").hasMessageContaining("got 64");
        }
    }

    @Test
    void anUnknownFunctionIsDeterministicAndNamed() throws Exception {
        LambdaStandIn standIn = AwsTck.standIn();
        try (LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION, standIn.endpoint(),
                S3Mock.credentials(), 1, Duration.ofSeconds(30)), true, "no-such-function", 1, Duration.ofSeconds(30), 3008, AwsTck.signer())) {
            TaskResult r = await(backend.submit(scale("u0", 1)).toCompletableFuture());

            assertThat(r.ok()).isFalse();
            assertThat(r.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
            assertThat(r.error().message()).contains("ResourceNotFoundException").contains("no-such-function");
        }
    }

    @Test
    void anUnreachableEndpointIsTransient() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION,
                URI.create("http://127.0.0.1:" + port), S3Mock.credentials(), 1, Duration.ofSeconds(30)), true,
                AwsTck.FUNCTION, 1, Duration.ofSeconds(30), 3008, AwsTck.signer())) {
            TaskResult r = await(backend.submit(scale("e0", 1)).toCompletableFuture());

            assertThat(r.ok()).isFalse();
            assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
            assertThat(r.error().type()).isEqualTo("transport");
        }
    }

    @Test
    void aMisconfiguredFunctionFailsEveryTaskDeterministicallySayingWhatIsMissing() throws Exception {
        Map<String, String> env = new HashMap<>(AwsTck.workerEnvironment());
        env.remove(WorkerEnvironment.BUCKET);
        try (LambdaStandIn broken = LambdaStandIn.start(new LambdaStandIn.Config("broken-worker", 1, 1,
                Duration.ofSeconds(30), env));
             LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION, broken.endpoint(),
                     S3Mock.credentials(), 1, Duration.ofSeconds(30)), true, "broken-worker", 1, Duration.ofSeconds(30), 3008, AwsTck.signer())) {
            TaskResult r = await(backend.submit(scale("m0", 1)).toCompletableFuture());

            assertThat(r.ok()).isFalse();
            assertThat(r.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
            assertThat(r.error().type()).isEqualTo("function-error");
            assertThat(r.error().message()).contains("IllegalStateException").contains(WorkerEnvironment.BUCKET)
                    .contains("broken-worker").contains("m0");
        }
    }

    @Test
    void theProviderIsFoundByNameAndChecksItsSettingsAndStore() throws Exception {
        assertThat(Backends.available()).contains("aws");
        Map<String, String> settings = Map.of("region", S3Mock.REGION, "bucket", S3Mock.SHARED_BUCKET,
                "prefix", AwsTck.PREFIX, "concurrency", "7", "timeout-seconds", "120",
                "lambda-endpoint", AwsTck.standIn().endpoint().toString(),
                "secrets-endpoint", AwsTck.secrets().secretsEndpoint().toString());
        // The driver reads the key with the SDK's default credentials: here, from system properties.
        System.setProperty("aws.accessKeyId", S3Mock.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3Mock.SECRET_KEY);
        try {
            try (ComputeBackend b = Backends.create("aws", new BackendContext(store, settings))) {
                assertThat(b.name()).isEqualTo("aws");
                assertThat(b.capabilities().maxConcurrency()).isEqualTo(7);
                assertThat(b.capabilities().maxTaskDuration()).isEqualTo(Duration.ofSeconds(120));
                assertThat(b.capabilities().canCancel()).isTrue();
                TaskResult r = await(b.submit(scale("p0", 1)).toCompletableFuture());
                assertThat(r.ok()).as("a task signed with the key the provider read: %s", r.error()).isTrue();
            }
            Map<String, String> noKey = new HashMap<>(settings);
            noKey.put("task-key-secret", "numpywren/never-deployed/task-key");
            assertThatThrownBy(() -> Backends.create("aws", new BackendContext(store, noKey)))
                    .hasMessageContaining("numpywren/never-deployed/task-key").hasMessageContaining("ResourceNotFound")
                    .hasMessageContaining("numpywren aws deploy creates it");
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
        Map<String, String> otherPrefix = new HashMap<>(settings);
        otherPrefix.put("prefix", "elsewhere");
        assertThatThrownBy(() -> Backends.create("aws", new BackendContext(store, otherPrefix)))
                .hasMessageContaining("s3://numpywren-tck/elsewhere/").hasMessageContaining(store.description());
        assertThatThrownBy(() -> Backends.create("aws", new BackendContext(new InMemoryBlockStore(), settings)))
                .hasMessageContaining("the job's store is in-memory store");
        assertThatThrownBy(() -> Backends.create("aws", new BackendContext(store,
                Map.of("region", "eu-west-1", "concurrency", "0", "memory", "lots"))))
                .hasMessageContaining("bucket is not set").hasMessageContaining("concurrency must lie in [1, 100000]")
                .hasMessageContaining("memory must be an integer, got 'lots'");
    }

    @Test
    void theWorkerEnvironmentNamesEveryVariableAtFault() {
        assertThatThrownBy(() -> WorkerEnvironment.from(Map.of(WorkerEnvironment.S3_PATH_STYLE, "yes")))
                .hasMessageContaining(WorkerEnvironment.BUCKET + " is not set")
                .hasMessageContaining(WorkerEnvironment.REGION + " is not set")
                .hasMessageContaining(WorkerEnvironment.S3_PATH_STYLE + " must be true or false, got 'yes'");
        assertThatThrownBy(() -> WorkerEnvironment.from(Map.of(WorkerEnvironment.BUCKET, "b1", WorkerEnvironment.REGION,
                "eu-west-1"))).hasMessageContaining(WorkerEnvironment.TASK_KEY_SECRET + " is not set");
        WorkerEnvironment env = WorkerEnvironment.from(Map.of(WorkerEnvironment.BUCKET, "b1", WorkerEnvironment.REGION,
                "eu-west-1", "AWS_LAMBDA_FUNCTION_NAME", "f", "AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/24/[$LATEST]abc",
                WorkerEnvironment.TASK_KEY_SECRET, "numpywren/f/task-key"));
        assertThat(env.pathStyle()).isFalse();
        assertThat(env.workerName()).isEqualTo("lambda:f/2026/11/24/[$LATEST]abc");
        assertThat(env.readTimeout()).isEqualTo(Duration.ofSeconds(30));
    }
}

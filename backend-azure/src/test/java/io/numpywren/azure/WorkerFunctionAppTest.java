package io.numpywren.azure;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;
import io.numpywren.testing.ForgedRequests;
import io.numpywren.testing.BareMachine;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The packaged function app (what {@code mvn package} builds) under the test host, in a JVM of its
 * own, against Azurite: what the package holds; a signed task runs and writes its block; a forged,
 * altered or malformed one gets a 4xx with a deterministic error and touches nothing; the
 * function key is required; a worker without its key says so; and on a machine without BLAS or
 * gfortran the task runs on the bundled OpenBLAS.
 */
class WorkerFunctionAppTest {
    private static final String CONTAINER = "worker-blocks";
    private static final String KEY = TaskSigner.newKey();
    private static final String FUNCTION_KEY = "test-function-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static Azurite azurite;
    private static BlobBlockStore blocks;
    private static FunctionsHost host;
    private final TaskSigner driver = TaskSigner.fromBase64(KEY, "the test");

    private static Map<String, String> settings(Azurite azurite) {
        return Map.of(WorkerSettings.CONTAINER, CONTAINER, WorkerSettings.PREFIX, "blocks",
                WorkerSettings.CONNECTION_STRING, azurite.connectionString(), WorkerSettings.ROOT, "jobs",
                WorkerSettings.TASK_KEY, KEY);
    }

    @BeforeAll
    static void start() throws Exception {
        azurite = Azurite.shared();
        blocks = azurite.newContainer(CONTAINER).prefix("blocks").build();
        host = FunctionsHost.start(FunctionsHost.packagedApp(), settings(azurite), FUNCTION_KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (host != null) {
            host.close();
        }
    }

    private static TaskSpec scale(String job, String input, String output) {
        return new TaskSpec(TaskSpec.VERSION, job, "t1", 1, "jobs/" + job, List.of("jobs/in"), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of(input),
                List.of(new TaskSpec.OutputBlock(output, "float64")));
    }

    private static HttpResponse<byte[]> post(java.net.URI url, String functionKey, byte[] body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(url).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json");
        if (functionKey != null) {
            r.header("x-functions-key", functionKey);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void putInput(String key) {
        blocks.replace(key, BlockCodec.encode(Block.ofRows(new double[] {1, 2}, new double[] {3, 4})));
    }

    @Test
    void thePackageHoldsHostJsonTheFunctionAndItsJarWithTheBundledOpenblas() throws Exception {
        try (ZipFile app = new ZipFile(FunctionsHost.packagedApp().toFile())) {
            assertThat(app.getEntry("host.json")).isNotNull();
            assertThat(app.getEntry("task/function.json")).isNotNull();
            assertThat(app.getEntry("numpywren-worker.jar")).isNotNull();
        }
        java.nio.file.Path jar = Files.createTempFile("numpywren-worker-", ".jar");
        try (ZipFile app = new ZipFile(FunctionsHost.packagedApp().toFile())) {
            Files.copy(app.getInputStream(app.getEntry("numpywren-worker.jar")), jar,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            assertThat(zip.getEntry("io/numpywren/azure/WorkerFunction.class")).isNotNull();
            assertThat(zip.getEntry("com/azure/storage/blob/BlobClient.class")).isNotNull();
            assertThat(zip.getEntry("org/bytedeco/openblas/linux-x86_64/libopenblas.so.0")).isNotNull();
            assertThat(zip.getEntry("com/microsoft/azure/functions/HttpRequestMessage.class")).as("the worker's own library")
                    .isNull();
            assertThat(zip.getEntry("org/jblas/DoubleMatrix.class")).isNull();
            assertThat(zip.getEntry("io/numpywren/lambdapack/Parser.class")).as("LAmbdaPACK is the driver's").isNull();
            assertThat(zip.stream().map(java.util.zip.ZipEntry::getName))
                    .as("the deploy's Resource Manager and Key Vault clients are the driver's")
                    .noneMatch(n -> n.startsWith("com/azure/resourcemanager/") || n.startsWith("com/azure/core/management/")
                            || n.startsWith("com/azure/security/keyvault/"));
        } finally {
            Files.delete(jar);
        }
    }

    @Test
    void aSignedTaskRunsAndWritesItsBlockToBlobStorage() throws Exception {
        putInput("jobs/in/A/0_0");

        HttpResponse<byte[]> r = post(host.url(), FUNCTION_KEY, driver.sign(scale("j1", "jobs/in/A/0_0", "jobs/j1/B/0_0")));

        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        TaskResult result = TaskCodec.decodeResult(r.body());
        assertThat(result.ok()).as("%s", result.error()).isTrue();
        assertThat(result.worker()).isEqualTo("azfn:numpywren-worker/local");
        Block b = BlockCodec.decode("jobs/j1/B/0_0", blocks.get("jobs/j1/B/0_0"));
        assertThat(b.data()).containsExactly(2, 6, 4, 8);
    }

    @Test
    void forgedAlteredAndMalformedRequestsGet4xxAndTouchNothing() throws Exception {
        putInput("jobs/in/A/0_0");
        List<String> before = blocks.list("");

        // Signed, but reaching outside the job's namespace and the worker's root: 400; the rest 403.
        ForgedRequests.assertRefused(driver, scale("j2", "jobs/in/A/0_0", "jobs/j2/B/0_0"), "jobs/j2/B/0_0",
                "jobs/in/A/0_1", scale("j2", "jobs/in/A/0_0", "elsewhere/B/0_0"), body -> {
                    try {
                        return post(host.url(), FUNCTION_KEY, body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThat(blocks.list("")).isEqualTo(before);
        assertThat(host.output()).doesNotContain(KEY);
    }

    @Test
    void theFunctionKeyIsRequiredAndOnlyPostIsRouted() throws Exception {
        byte[] task = driver.sign(scale("j3", "jobs/in/A/0_0", "jobs/j3/B/0_0"));
        assertThat(post(host.url(), null, task).statusCode()).isEqualTo(401);
        assertThat(post(host.url(), "wrong-key", task).statusCode()).isEqualTo(401);
        assertThat(HTTP.send(HttpRequest.newBuilder(host.url()).header("x-functions-key", FUNCTION_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(blocks.exists("jobs/j3/B/0_0")).isFalse();
    }

    @Test
    void aWorkerWithoutItsKeyAnswers500NamingTheSetting() throws Exception {
        Map<String, String> keyless = new java.util.HashMap<>(settings(azurite));
        keyless.remove(WorkerSettings.TASK_KEY);
        try (FunctionsHost h = FunctionsHost.start(FunctionsHost.packagedApp(), keyless, FUNCTION_KEY)) {
            HttpResponse<byte[]> r = post(h.url(), FUNCTION_KEY, driver.sign(scale("j4", "jobs/in/A/0_0", "jobs/j4/B/0_0")));
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(new String(r.body())).contains(WorkerSettings.TASK_KEY + " is not set");
        }
    }

    @Test
    void onABareMachineACholeskyTaskRunsOnTheBundledOpenblas() throws Exception {
        BareMachine.unavailableReason().ifPresent(reason -> abort("cannot hide the system's libraries: " + reason));
        int n = 300;
        Block a = TestBlocks.spd(n, 11);
        blocks.replace("jobs/in/S/0_0", BlockCodec.encode(a));
        try (FunctionsHost bare = FunctionsHost.start(FunctionsHost.packagedApp(), settings(azurite), FUNCTION_KEY,
                BareMachine::wrap)) {
            TaskSpec chol = new TaskSpec(TaskSpec.VERSION, "j5", "c", 1, "jobs/j5", List.of("jobs/in"), "chol", Map.of(),
                    List.of("jobs/in/S/0_0"), List.of(new TaskSpec.OutputBlock("jobs/j5/L/0_0", "float64")));
            HttpResponse<byte[]> r = post(bare.url(), FUNCTION_KEY, driver.sign(chol));

            assertThat(r.statusCode()).as(new String(r.body()) + bare.output()).isEqualTo(200);
            TaskResult result = TaskCodec.decodeResult(r.body());
            assertThat(result.ok()).as("%s", result.error()).isTrue();
            assertThat(result.kernelProvider()).as("kernels on a bare machine").startsWith("openblas");
            Block l = BlockCodec.decode("jobs/j5/L/0_0", blocks.get("jobs/j5/L/0_0"));
            assertThat(TestBlocks.choleskyResidual(a, l)).as("max |A - LLᵀ| / max |A|").isLessThan(1e-13 * n);
        }
    }
}

package io.numpywren.gcp;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;
import io.numpywren.testing.ForgedRequests;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker function under the real Functions Framework invoker, in a JVM of its own, against
 * Cloud Storage's stand-in: a signed task runs and writes its block; a forged, altered or
 * malformed one gets a 4xx with a deterministic error and touches nothing; a function without
 * its key says so.
 */
class WorkerFunctionTest {
    private static final String BUCKET = "worker-blocks";
    private static final String KEY = TaskSigner.newKey();
    private static FakeGcs gcs;
    private static FunctionInstance function;
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final TaskSigner driver = TaskSigner.fromBase64(KEY, "the test");

    @BeforeAll
    static void start() throws Exception {
        gcs = new FakeGcs();
        function = FunctionInstance.start(Map.of(WorkerSettings.BUCKET, BUCKET, WorkerSettings.PREFIX, "blocks",
                WorkerSettings.STORAGE_HOST, gcs.host(), WorkerSettings.ROOT, "jobs", WorkerSettings.TASK_KEY, KEY));
    }

    @AfterAll
    static void stop() throws Exception {
        function.close();
        gcs.close();
    }

    private static TaskSpec scale(String job, String input, String output) {
        return new TaskSpec(TaskSpec.VERSION, job, "t1", 1, "jobs/" + job, List.of("jobs/in"), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of(input),
                List.of(new TaskSpec.OutputBlock(output, "float64")));
    }

    private static HttpResponse<byte[]> post(byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(function.url()).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void putInput(String key) throws Exception {
        try (GcsBlockStore store = GcsBlockStore.builder().bucket(BUCKET).prefix("blocks").host(gcs.host())
                .noCredentials().projectId("t").build()) {
            store.replace(key, BlockCodec.encode(Block.ofRows(new double[] {1, 2}, new double[] {3, 4})));
        }
    }

    @Test
    void aSignedTaskRunsAndWritesItsBlockToCloudStorage() throws Exception {
        putInput("jobs/in/A/0_0");

        HttpResponse<byte[]> r = post(driver.sign(scale("j1", "jobs/in/A/0_0", "jobs/j1/B/0_0")));

        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        TaskResult result = TaskCodec.decodeResult(r.body());
        assertThat(result.ok()).as("%s", result.error()).isTrue();
        assertThat(result.worker()).isEqualTo("gcf:numpywren-worker/local");
        assertThat(result.kernelProvider()).isNotBlank();
        Block b = BlockCodec.decode("jobs/j1/B/0_0", java.nio.ByteBuffer.wrap(gcs.objects(BUCKET).get("blocks/jobs/j1/B/0_0")));
        assertThat(b.data()).containsExactly(2, 6, 4, 8);
    }

    @Test
    void forgedAlteredAndMalformedRequestsGet4xxAndTouchNothing() throws Exception {
        putInput("jobs/in/A/0_0");
        int before = gcs.objects(BUCKET).size();

        // Signed, but reaching outside the job's namespace and the worker's root: 400; the rest 403.
        ForgedRequests.assertRefused(driver, scale("j2", "jobs/in/A/0_0", "jobs/j2/B/0_0"), "jobs/j2/B/0_0",
                "jobs/in/A/0_1", scale("j2", "jobs/in/A/0_0", "elsewhere/B/0_0"), body -> {
                    try {
                        return post(body);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        assertThat(gcs.objects(BUCKET)).hasSize(before);
        assertThat(function.output()).doesNotContain(KEY);
    }

    @Test
    void onlyPostIsServed() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(function.url()).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void aFunctionWithoutItsKeyAnswers500NamingTheVariable() throws Exception {
        try (FunctionInstance keyless = FunctionInstance.start(Map.of(WorkerSettings.BUCKET, BUCKET,
                WorkerSettings.STORAGE_HOST, gcs.host()))) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(keyless.url())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(driver.sign(scale("j3", "jobs/in/A/0_0", "jobs/j3/B/0_0"))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).contains(WorkerSettings.TASK_KEY + " is not set");
        }
    }
}

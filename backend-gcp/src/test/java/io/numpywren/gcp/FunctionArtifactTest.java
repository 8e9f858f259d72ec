package io.numpywren.gcp;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;
import io.numpywren.testing.BareMachine;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The deployable function jar (package phase): what it holds, and that it alone, under the
 * invoker, on a machine without BLAS, LAPACK or gfortran (as Cloud Functions' images are), runs a
 * Cholesky task natively on the bundled OpenBLAS, with a result that is right.
 */
class FunctionArtifactTest {

    private static Path artifact() {
        Path jar = Path.of(System.getProperty("numpywren.function.artifact"));
        assertThat(jar).as("the function jar, built by mvn package").isRegularFile();
        return jar;
    }

    @Test
    void theJarHoldsTheFunctionAndTheBundledOpenblasButNotTheRuntimesApiOrJblas() throws Exception {
        try (ZipFile zip = new ZipFile(artifact().toFile())) {
            assertThat(zip.getEntry("io/numpywren/gcp/WorkerFunction.class")).isNotNull();
            assertThat(zip.getEntry("com/google/cloud/storage/Storage.class")).isNotNull();
            assertThat(zip.getEntry("org/bytedeco/openblas/linux-x86_64/libopenblas.so.0")).isNotNull();
            assertThat(zip.getEntry("org/bytedeco/openblas/linux-x86_64/libgfortran.so.5")).isNotNull();
            assertThat(zip.getEntry("com/google/cloud/functions/HttpFunction.class")).as("the runtime's own API").isNull();
            assertThat(zip.getEntry("org/jblas/DoubleMatrix.class")).isNull();
            assertThat(zip.getEntry("io/numpywren/lambdapack/Parser.class")).as("LAmbdaPACK is the driver's").isNull();
            assertThat(zip.getEntry("com/google/cloud/secretmanager/v1/SecretManagerServiceClient.class"))
                    .as("the driver's and deploy's clients").isNull();
            assertThat(zip.getEntry("com/google/cloud/functions/v2/FunctionServiceClient.class")).isNull();
            assertThat(zip.getEntry("com/google/cloud/iam/admin/v1/IAMClient.class")).isNull();
        }
        assertThat(Files.size(artifact())).as("bytes").isLessThan(100L * 1024 * 1024);
    }

    @Test
    void theJarAloneRunsACholeskyTaskNativelyOnABareMachine() throws Exception {
        BareMachine.unavailableReason().ifPresent(reason -> abort("cannot hide the system's libraries: " + reason));
        String key = TaskSigner.newKey();
        int n = 300;
        Block a = Block.zeros(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                a.set(i, j, i == j ? n + 1.0 : 1.0 / (1 + i + j));
            }
        }
        try (FakeGcs gcs = new FakeGcs();
             GcsBlockStore store = GcsBlockStore.builder().bucket("artifact").host(gcs.host()).noCredentials()
                     .projectId("t").build()) {
            store.put("jobs/in/A/0_0", BlockCodec.encode(a));
            try (FunctionInstance function = FunctionInstance.start(artifact().toString(), Map.of(
                    WorkerSettings.BUCKET, "artifact", WorkerSettings.STORAGE_HOST, gcs.host(),
                    WorkerSettings.TASK_KEY, key), BareMachine::wrap)) {
                TaskSpec chol = new TaskSpec(TaskSpec.VERSION, "j", "c", 1, "jobs/j", List.of("jobs/in"), "chol", Map.of(),
                        List.of("jobs/in/A/0_0"), List.of(new TaskSpec.OutputBlock("jobs/j/L/0_0", "float64")));
                HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(function.url())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(TaskSigner.fromBase64(key, "t").sign(chol))).build(),
                        HttpResponse.BodyHandlers.ofByteArray());

                assertThat(r.statusCode()).as(new String(r.body()) + function.output()).isEqualTo(200);
                TaskResult result = TaskCodec.decodeResult(r.body());
                assertThat(result.ok()).as("%s", result.error()).isTrue();
                assertThat(result.kernelProvider()).as("kernels on a bare machine").startsWith("openblas");
            }
            Block l = BlockCodec.decode("jobs/j/L/0_0", ByteBuffer.wrap(gcs.objects("artifact").get("jobs/j/L/0_0")));
            assertThat(TestBlocks.choleskyResidual(a, l)).as("max |A - LLᵀ| / max |A|").isLessThan(1e-13 * n);
        }
    }
}

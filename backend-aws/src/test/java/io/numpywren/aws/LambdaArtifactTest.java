package io.numpywren.aws;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The deployable jar (built by the shade plugin in the package phase; this test runs in that
 * phase, after it): what it holds, and that it alone, beside the runtime interface client Lambda
 * provides, runs a real task on a machine without a native BLAS, as Lambda's java17 runtime is.
 */
class LambdaArtifactTest {
    /** Lambda's limit on a function's code uploaded directly (zipped), and unzipped. */
    private static final long MAX_ZIPPED = 50L * 1024 * 1024;
    private static final long MAX_UNZIPPED = 250L * 1024 * 1024;

    private static Path artifact() {
        String p = System.getProperty("numpywren.lambda.artifact");
        assertThat(p).as("system property numpywren.lambda.artifact (set by this module's pom)").isNotNull();
        Path jar = Path.of(p);
        assertThat(jar).as("the shaded jar: this test runs in the package phase, after the shade plugin").isRegularFile();
        return jar;
    }

    @Test
    void theJarHoldsTheHandlerCoreTheSdkAndJblasNativesForLinuxAmd64Only() throws Exception {
        Path jar = artifact();
        assertThat(Files.size(jar)).as("zipped size").isLessThan(MAX_ZIPPED);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (String entry : List.of(
                    "io/numpywren/aws/WorkerHandler.class",
                    "io/numpywren/aws/WorkerEnvironment.class",
                    "io/numpywren/task/TaskExecutor.class",
                    "io/numpywren/kernel/JblasLinearAlgebra.class",
                    "com/amazonaws/services/lambda/runtime/RequestStreamHandler.class",
                    "software/amazon/awssdk/services/s3/S3AsyncClient.class",
                    "software/amazon/awssdk/http/nio/netty/NettyNioAsyncHttpClient.class",
                    "com/fasterxml/jackson/databind/ObjectMapper.class",
                    "org/jblas/NativeBlas.class",
                    "lib/static/Linux/amd64/sse3/libjblas.so",
                    "lib/static/Linux/amd64/libgfortran-4.so",
                    "lib/static/Linux/amd64/libquadmath-0.so")) {
                assertThat(zip.getEntry(entry)).as(entry).isNotNull();
            }
            assertThat(zip.stream().map(ZipEntry::getName))
                    .as("other platforms' JBLAS natives, the IAM and Lambda clients, the sync HTTP client")
                    .noneMatch(n -> n.startsWith("lib/static/") && !n.startsWith("lib/static/Linux/amd64/")
                            && !n.endsWith("/"))
                    .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/iam/"))
                    .noneMatch(n -> n.startsWith("software/amazon/awssdk/services/lambda/"))
                    .noneMatch(n -> n.startsWith("org/apache/hc/"));
            // Merged, not overwritten: the SDK finds its async HTTP client through this file.
            ZipEntry services = zip.getEntry("META-INF/services/software.amazon.awssdk.http.async.SdkAsyncHttpService");
            assertThat(services).isNotNull();
            assertThat(new String(zip.getInputStream(services).readAllBytes()))
                    .contains("software.amazon.awssdk.http.nio.netty.NettySdkAsyncHttpService");
            long unzipped = zip.stream().mapToLong(ZipEntry::getSize).sum();
            assertThat(unzipped).as("unzipped size").isLessThan(MAX_UNZIPPED);
        }
    }

    @Test
    void theJarAloneRunsACholeskyTaskOnJblasWhenThereIsNoNativeBlas() throws Exception {
        Map<String, String> env = new HashMap<>(AwsTck.workerEnvironment());
        // As on Lambda, where no system BLAS exists: netlib's JNI binding finds no library to load.
        env.put("JAVA_TOOL_OPTIONS", "-Ddev.ludovic.netlib.blas.nativeLib=libnumpywren-absent-blas.so"
                + " -Ddev.ludovic.netlib.lapack.nativeLib=libnumpywren-absent-lapack.so");
        env.remove(WorkerEnvironment.KERNEL_PROVIDER); // auto: the worker chooses
        String ns = "artifact-" + UUID.randomUUID().toString().substring(0, 8);
        int n = 48;
        Block a = spd(n, 7);
        Duration timeout = Duration.ofSeconds(60);
        try (S3BlockStore store = AwsTck.store();
             LambdaStandIn standIn = LambdaStandIn.start(new LambdaStandIn.Config("artifact-worker", 1, 1, timeout,
                     env, artifact().toString()));
             LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION, standIn.endpoint(),
                     S3Mock.credentials(), 1, timeout), true, "artifact-worker", 1, timeout, 3008)) {
            store.put(ns + "/A/0_0", BlockCodec.encode(a));
            TaskSpec spec = new TaskSpec(TaskSpec.VERSION, ns, "chol-0", 1, ns, List.of(), "chol", Map.of(),
                    List.of(ns + "/A/0_0"), List.of(new TaskSpec.OutputBlock(ns + "/L/0_0", "float64")));

            TaskResult r = backend.submit(spec).toCompletableFuture().get(90, TimeUnit.SECONDS);

            assertThat(r.ok()).as("%s (worker log in %s)", r.error(), standIn.logDir()).isTrue();
            assertThat(r.kernelProvider()).isEqualTo("jblas");
            assertThat(r.worker()).startsWith("lambda:artifact-worker/");
            Block l = BlockCodec.decode("L", store.get(ns + "/L/0_0"));
            assertThat(relativeResidual(a, l)).as("max |A - LL^T| / max |A|").isLessThan(1e-12);
            store.deletePrefix(ns + "/");
        }
    }

    /** A random symmetric, diagonally dominant (so positive definite) matrix. */
    private static Block spd(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Block a = Block.zeros(n, n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                double v = random.nextDouble(-1, 1);
                a.set(i, j, v);
                a.set(j, i, v);
            }
            a.set(i, i, n + random.nextDouble());
        }
        return a;
    }

    /** Uses L's lower triangle only, so it checks the factor however the kernel fills the rest. */
    private static double relativeResidual(Block a, Block l) {
        int n = a.rows();
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k <= Math.min(i, j); k++) {
                    s += l.get(i, k) * l.get(j, k);
                }
                worst = Math.max(worst, Math.abs(a.get(i, j) - s));
                scale = Math.max(scale, Math.abs(a.get(i, j)));
            }
        }
        return worst / scale;
    }
}

package io.numpywren.aws;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import io.numpywren.testing.BareMachine;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * The deployable jar (built by the shade plugin in the package phase; this test runs in that
 * phase, after it): what it holds, and that it alone, beside the runtime interface client Lambda
 * provides, runs real tasks natively on a machine with no BLAS, LAPACK or gfortran runtime, as
 * Lambda's Java runtimes are.
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
    void theJarHoldsTheWorkerAndTheBundledOpenBlasForLinuxX86_64AndNothingTheWorkerDoesNotRun() throws Exception {
        Path jar = artifact();
        assertThat(Files.size(jar)).as("zipped size").isLessThan(MAX_ZIPPED);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (String entry : List.of(
                    "io/numpywren/aws/WorkerHandler.class",
                    "io/numpywren/aws/WorkerEnvironment.class",
                    "io/numpywren/task/TaskExecutor.class",
                    "io/numpywren/kernel/NetlibLinearAlgebra.class",
                    "com/amazonaws/services/lambda/runtime/RequestStreamHandler.class",
                    "software/amazon/awssdk/services/s3/S3AsyncClient.class",
                    "software/amazon/awssdk/http/nio/netty/NettyNioAsyncHttpClient.class",
                    "com/fasterxml/jackson/databind/ObjectMapper.class",
                    "org/bytedeco/javacpp/Loader.class",
                    "org/bytedeco/openblas/linux-x86_64/libopenblas.so.0",
                    "org/bytedeco/openblas/linux-x86_64/libgfortran.so.5",
                    "org/bytedeco/openblas/linux-x86_64/libquadmath.so.0",
                    "resources/native/Linux-amd64/libnetlibblasjni.so",
                    "resources/native/Linux-amd64/libnetliblapackjni.so")) {
                assertThat(zip.getEntry(entry)).as(entry).isNotNull();
            }
            assertThat(zip.stream().map(ZipEntry::getName))
                    .as("LAmbdaPACK (the driver's), JBLAS, JavaCPP's JNI wrappers, other platforms' natives, "
                            + "the IAM and Lambda clients, the sync HTTP client")
                    .noneMatch(n -> n.startsWith("io/numpywren/lambdapack/") || n.endsWith(".lp"))
                    .noneMatch(n -> n.startsWith("org/jblas/") || n.startsWith("lib/static/"))
                    .noneMatch(n -> n.contains("libjniopenblas"))
                    .noneMatch(n -> n.startsWith("resources/native/") && !n.endsWith("/")
                            && !n.startsWith("resources/native/Linux-amd64/"))
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
    void theJarAloneRunsACholAndAGemmTaskNativelyOnABareMachine() throws Exception {
        BareMachine.unavailableReason().ifPresent(reason -> abort("cannot hide the system's libraries: " + reason));
        Map<String, String> env = new HashMap<>(AwsTck.workerEnvironment());
        env.remove(WorkerEnvironment.KERNEL_PROVIDER); // auto: the worker chooses
        String ns = "artifact-" + UUID.randomUUID().toString().substring(0, 8);
        int n = 256;
        Block a = TestBlocks.spd(n, 7);
        Block x = TestBlocks.random(n, n, 8);
        Block y = TestBlocks.random(n, n, 9);
        Duration timeout = Duration.ofSeconds(60);
        try (S3BlockStore store = AwsTck.store();
             LambdaStandIn standIn = LambdaStandIn.start(new LambdaStandIn.Config("artifact-worker", 1, 1, timeout,
                     env, artifact().toString(), true));
             LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION, standIn.endpoint(),
                     S3Mock.credentials(), 1, timeout), true, "artifact-worker", 1, timeout, 3008, AwsTck.signer())) {
            store.put(ns + "/A/0_0", BlockCodec.encode(a));
            store.put(ns + "/X/0_0", BlockCodec.encode(x));
            store.put(ns + "/Y/0_0", BlockCodec.encode(y));
            TaskSpec chol = new TaskSpec(TaskSpec.VERSION, ns, "chol-0", 1, ns, List.of(), "chol", Map.of(),
                    List.of(ns + "/A/0_0"), List.of(new TaskSpec.OutputBlock(ns + "/L/0_0", "float64")));
            TaskSpec gemm = new TaskSpec(TaskSpec.VERSION, ns, "gemm-0", 1, ns, List.of(), "gemm", Map.of(),
                    List.of(ns + "/X/0_0", ns + "/Y/0_0"), List.of(new TaskSpec.OutputBlock(ns + "/C/0_0", "float64")));

            for (TaskSpec spec : List.of(chol, gemm)) {
                TaskResult r = backend.submit(spec).toCompletableFuture().get(90, TimeUnit.SECONDS);
                assertThat(r.ok()).as("%s (worker log in %s)", r.error(), standIn.logDir()).isTrue();
                assertThat(r.kernelProvider()).as("%s ran natively on the bundled OpenBLAS (worker log in %s)",
                        spec.taskId(), standIn.logDir()).isEqualTo("openblas");
                assertThat(r.worker()).startsWith("lambda:artifact-worker/");
            }
            Block l = BlockCodec.decode("L", store.get(ns + "/L/0_0"));
            assertThat(TestBlocks.choleskyResidual(a, l)).as("max |A - LL^T| / max |A|").isLessThan(n * 1e-15);
            Block c = BlockCodec.decode("C", store.get(ns + "/C/0_0"));
            assertThat(TestBlocks.productResidual(x, y, c)).isLessThan(2 * n * Math.ulp(1.0));
            assertThat(Files.readString(standIn.logDir().resolve("worker-0.log")))
                    .as("the worker's log: no native library's noise, no pure-Java warning")
                    .doesNotContain("dlopen").doesNotContain("org.jblas").doesNotContain("pure-Java");
            store.deletePrefix(ns + "/");
        }
    }
}

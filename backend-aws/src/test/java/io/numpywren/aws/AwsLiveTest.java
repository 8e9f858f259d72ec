package io.numpywren.aws;

import com.typesafe.config.ConfigFactory;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.testing.TestBlocks;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Against a real AWS account, only when {@code NUMPYWREN_AWS_LIVE=1}, credentials resolve through the
 * SDK's default chain, and {@code NUMPYWREN_AWS_BUCKET} (an existing bucket) and {@code AWS_REGION}
 * are set; otherwise skipped, saying which. Deploys a function of its own (a fresh name), runs a small
 * Cholesky through LambdaBackend and S3BlockStore, checks ‖A − LLᵀ‖ and destroys the function and role.
 * It costs cents: about 30 invocations at 2 GB and a few hundred S3 requests.
 */
class AwsLiveTest {
    @Test
    void deployRunACholeskyOnLambdaAndDestroy() throws Exception {
        assumeTrue("1".equals(System.getenv("NUMPYWREN_AWS_LIVE")),
                "live AWS tests run only with NUMPYWREN_AWS_LIVE=1 (and credentials, NUMPYWREN_AWS_BUCKET, AWS_REGION)");
        String bucket = System.getenv("NUMPYWREN_AWS_BUCKET");
        String region = System.getenv("AWS_REGION");
        assumeTrue(bucket != null && !bucket.isBlank(), "NUMPYWREN_AWS_BUCKET is not set (an existing bucket)");
        assumeTrue(region != null && !region.isBlank(), "AWS_REGION is not set");
        boolean credentials;
        try (DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build()) {
            chain.resolveCredentials();
            credentials = true;
        } catch (RuntimeException e) {
            credentials = false;
        }
        assumeTrue(credentials, "no AWS credentials in the SDK's default provider chain");
        Path artifact = Path.of(System.getProperty("numpywren.lambda.artifact", "target/none.jar"));
        assumeTrue(Files.isRegularFile(artifact), "the Lambda jar " + artifact + " is not built (mvn package first)");

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String function = "numpywren-live-" + suffix;
        String prefix = "numpywren-live/" + suffix;
        DeploySettings settings = DeploySettings.from(Map.of("region", region, "bucket", bucket, "prefix", prefix,
                "function-name", function, "memory", "2048", "timeout-seconds", "120", "root", "numpywren",
                "concurrency", "8"));
        List<String> log = new ArrayList<>();
        try (AwsDeployer deployer = new AwsDeployer(settings, null, Duration.ofSeconds(90), Duration.ofSeconds(3))) {
            try {
                AwsDeployer.Deployed d = deployer.deploy(DeployPlan.deploy(settings, artifact), log::add);
                assertThat(d.state()).isEqualTo("Active");
                AwsSettings aws = settings.aws();
                S3BlockStore store = aws.store().build();
                LambdaBackend backend = new LambdaBackend(LambdaBackend.newClient(region, null, null, aws.concurrency(),
                        aws.timeout()), true, function, aws.concurrency(), aws.timeout(), aws.memoryMb(),
                        TaskKeySecret.read(region, null, null, aws.taskKeySecret()));
                try (Numpywren nw = Numpywren.create(ConfigFactory.empty(), store, backend)) {
                    BlockMatrix a = nw.randomSpd("A", 1024, 256, 42);
                    JobResult r = nw.cholesky(a).toCompletableFuture().get(10, TimeUnit.MINUTES);
                    assertThat(r.report().tasks()).isEqualTo(4 + 6 + 10);
                    assertThat(r.report().kernelProviders()).containsExactly("openblas");
                    assertThat(TestBlocks.choleskyResidual(BlockMatrices.toDense(a), BlockMatrices.toDense(r.output("L"))))
                            .as("max |A - LL^T| / max |A|").isLessThan(1e-10);
                } finally {
                    store.deletePrefix("");
                }
            } finally {
                deployer.destroy(DeployPlan.destroy(settings), log::add);
            }
        }
        assertThat(log).contains("deleted function " + function, "deleted role " + function + "-role");
    }
}

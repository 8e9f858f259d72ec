package io.numpywren.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The deploy plan as a pure computation, and deploy/destroy through the SDK against a stateful fake of IAM and Lambda. */
class AwsDeployerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path artifact(int bytes) throws Exception {
        Path jar = tmp.resolve("worker-lambda.jar");
        byte[] content = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            content[i] = (byte) (i * 31);
        }
        Files.write(jar, content);
        return jar;
    }

    private static Map<String, String> settings(String... kv) {
        Map<String, String> m = new HashMap<>(Map.of("region", "eu-west-1", "bucket", "my-blocks", "prefix", "team/a",
                "memory", "2048", "timeout-seconds", "300", "root", "numpywren"));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void thePolicyAllowsTheBlockOperationsOnTheBucketBelowThePrefixOnly() throws Exception {
        DeployPlan plan = DeployPlan.destroy(DeploySettings.from(settings()));
        JsonNode policy = JSON.readTree(plan.blocksPolicy());
        assertThat(policy.get("Statement")).hasSize(3);
        JsonNode objects = policy.get("Statement").get(0);
        assertThat(objects.get("Effect").asText()).isEqualTo("Allow");
        List<String> actions = new ArrayList<>();
        objects.get("Action").forEach(a -> actions.add(a.asText()));
        assertThat(actions).containsExactly("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload");
        assertThat(objects.get("Resource").asText()).isEqualTo("arn:aws:s3:::my-blocks/team/a/*");
        JsonNode list = policy.get("Statement").get(1);
        assertThat(list.get("Action").asText()).isEqualTo("s3:ListBucket");
        assertThat(list.get("Resource").asText()).isEqualTo("arn:aws:s3:::my-blocks");
        assertThat(list.at("/Condition/StringLike/s3:prefix/0").asText()).isEqualTo("team/a/*");
        JsonNode key = policy.get("Statement").get(2);
        assertThat(key.get("Action").asText()).isEqualTo("secretsmanager:GetSecretValue");
        assertThat(key.get("Resource").asText())
                .isEqualTo("arn:aws:secretsmanager:eu-west-1:*:secret:numpywren/numpywren-worker/task-key-??????");

        JsonNode trust = JSON.readTree(plan.trustPolicy()).get("Statement").get(0);
        assertThat(trust.at("/Principal/Service").asText()).isEqualTo("lambda.amazonaws.com");
        assertThat(trust.get("Action").asText()).isEqualTo("sts:AssumeRole");

        JsonNode whole = JSON.readTree(DeployPlan.destroy(DeploySettings.from(settings("prefix", ""))).blocksPolicy());
        assertThat(whole.at("/Statement/0/Resource").asText()).isEqualTo("arn:aws:s3:::my-blocks/*");
        assertThat(whole.at("/Statement/1").has("Condition")).isFalse();
    }

    @Test
    void thePlanNamesEveryResourceTheSettingsAndTheArtifact() throws Exception {
        Path jar = artifact(3 * 1024 * 1024);
        DeployPlan plan = DeployPlan.deploy(DeploySettings.from(settings("function-name", "nw-test")), jar);
        String text = String.join("\n", plan.deploySteps());
        assertThat(text).contains("region eu-west-1")
                .contains("IAM role nw-test-role")
                .contains("arn:aws:iam::<account>:role/nw-test-role")
                .contains("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
                .contains("arn:aws:lambda:eu-west-1:<account>:function:nw-test")
                .contains("java17 on x86_64, handler io.numpywren.aws.WorkerHandler::handleRequest")
                .contains("memory:      2048 MB").contains("timeout:     300 s")
                .contains("NUMPYWREN_BUCKET=my-blocks NUMPYWREN_PREFIX=team/a NUMPYWREN_ROOT=numpywren")
                .contains(jar + " (3.0 MB");
        assertThat(plan.environment()).doesNotContainKey(WorkerEnvironment.S3_ENDPOINT)
                .doesNotContainKey("AWS_ACCESS_KEY_ID");
        assertThat(String.join("\n", plan.destroySteps())).contains("delete the Lambda function nw-test")
                .contains("delete the IAM role nw-test-role").contains("kept: the bucket my-blocks");
        assertThat(DeployPlan.destroy(DeploySettings.from(settings("region", "cn-north-1"))).roleArn("1"))
                .isEqualTo("arn:aws-cn:iam::1:role/numpywren-worker-role");
    }

    @Test
    void badSettingsAndAMissingArtifactAreNamed() {
        assertThatThrownBy(() -> DeploySettings.from(settings("bucket", "", "memory", "64", "role-name", "bad role!",
                "kernel-provider", "mkl")))
                .hasMessageContaining("bucket is not set").hasMessageContaining("memory must lie in [128, 10240], got 64")
                .hasMessageContaining("role-name 'bad role!'").hasMessageContaining("kernel-provider must be auto, openblas or netlib");
        assertThatThrownBy(() -> DeployPlan.deploy(DeploySettings.from(settings()), tmp.resolve("none.jar")))
                .hasMessageContaining("none.jar does not exist").hasMessageContaining("--artifact");
    }

    @Test
    void deployCreatesThenUpdatesAndDestroyRemovesEverythingButTheBlocks() throws Exception {
        Path jar = artifact(4096);
        try (FakeIamAndLambda fake = new FakeIamAndLambda()) {
            DeploySettings s = DeploySettings.from(settings("iam-endpoint", fake.iamEndpoint().toString(),
                    "lambda-endpoint", fake.lambdaEndpoint().toString(), "secrets-endpoint",
                    fake.secretsEndpoint().toString()));
            DeployPlan plan = DeployPlan.deploy(s, jar);
            List<String> log = new ArrayList<>();
            AwsDeployer.Deployed first;
            try (AwsDeployer d = new AwsDeployer(s, S3Mock.credentials(), Duration.ZERO, Duration.ZERO)) {
                first = d.deploy(plan, log::add);
            }
            assertThat(first.roleArn()).isEqualTo("arn:aws:iam::123456789012:role/numpywren-worker-role");
            assertThat(first.functionArn()).isEqualTo("arn:aws:lambda:us-east-1:123456789012:function:numpywren-worker");
            assertThat(first.state()).isEqualTo("Active");
            assertThat(log).anyMatch(l -> l.startsWith("created role")).anyMatch(l -> l.startsWith("created function"))
                    .anyMatch(l -> l.startsWith("created secret"));
            String key = fake.secrets.get("numpywren/numpywren-worker/task-key");
            assertThat(io.numpywren.task.TaskSigner.fromBase64(key, "the created secret").keyId()).hasSize(8);
            assertThat(String.join("\n", log) + String.join("\n", plan.deploySteps())).doesNotContain(key);

            FakeIamAndLambda.Role role = fake.roles.get("numpywren-worker-role");
            assertThat(JSON.readTree(role.trust())).isEqualTo(JSON.readTree(plan.trustPolicy()));
            assertThat(JSON.readTree(role.inline().get(DeployPlan.INLINE_POLICY_NAME)))
                    .isEqualTo(JSON.readTree(plan.blocksPolicy()));
            assertThat(role.attached()).containsExactly(plan.logsPolicyArn());
            JsonNode create = fake.last("POST /2015-03-31/functions").body();
            assertThat(create.get("Runtime").asText()).isEqualTo("java17");
            assertThat(create.get("Handler").asText()).isEqualTo(DeployPlan.HANDLER);
            assertThat(create.get("Role").asText()).isEqualTo(first.roleArn());
            assertThat(create.get("MemorySize").asInt()).isEqualTo(2048);
            assertThat(create.get("Timeout").asInt()).isEqualTo(300);
            assertThat(create.at("/Architectures/0").asText()).isEqualTo("x86_64");
            assertThat(create.at("/Environment/Variables/NUMPYWREN_BUCKET").asText()).isEqualTo("my-blocks");
            assertThat(create.at("/Environment/Variables/NUMPYWREN_PREFIX").asText()).isEqualTo("team/a");
            assertThat(create.at("/Environment/Variables/NUMPYWREN_TASK_KEY_SECRET").asText())
                    .isEqualTo("numpywren/numpywren-worker/task-key");
            assertThat(Base64.getDecoder().decode(create.at("/Code/ZipFile").asText())).isEqualTo(Files.readAllBytes(jar));

            // Again, with other settings: everything exists, so it is updated in place.
            DeploySettings bigger = DeploySettings.from(settings("iam-endpoint", fake.iamEndpoint().toString(),
                    "lambda-endpoint", fake.lambdaEndpoint().toString(), "secrets-endpoint",
                    fake.secretsEndpoint().toString(), "memory", "4096"));
            fake.calls.clear();
            try (AwsDeployer d = new AwsDeployer(bigger, S3Mock.credentials(), Duration.ZERO, Duration.ZERO)) {
                d.deploy(DeployPlan.deploy(bigger, jar), l -> { });
            }
            assertThat(fake.operations()).contains("UpdateAssumeRolePolicy", "PUT /2015-03-31/functions/{name}/code",
                    "PUT /2015-03-31/functions/{name}/configuration")
                    .doesNotContain("CreateRole", "POST /2015-03-31/functions", "CreateSecret");
            assertThat(fake.secrets.get("numpywren/numpywren-worker/task-key")).as("the key is kept").isEqualTo(key);
            assertThat(fake.last("PUT /2015-03-31/functions/{name}/configuration").body().get("MemorySize").asInt())
                    .isEqualTo(4096);
            assertThat(fake.functions.get("numpywren-worker").get("MemorySize").asInt()).isEqualTo(4096);

            List<String> destroyed = new ArrayList<>();
            try (AwsDeployer d = new AwsDeployer(s, S3Mock.credentials(), Duration.ZERO, Duration.ZERO)) {
                d.destroy(DeployPlan.destroy(s), destroyed::add);
                assertThat(fake.functions).isEmpty();
                assertThat(fake.roles).isEmpty();
                assertThat(destroyed).containsExactly("deleted function numpywren-worker",
                        "deleted inline policy " + DeployPlan.INLINE_POLICY_NAME, "detached " + plan.logsPolicyArn(),
                        "deleted role numpywren-worker-role", "deleted secret numpywren/numpywren-worker/task-key");
                assertThat(fake.secrets).isEmpty();
                assertThat(fake.last("DeleteSecret").body().get("ForceDeleteWithoutRecovery").asBoolean()).isTrue();
                destroyed.clear();
                d.destroy(DeployPlan.destroy(s), destroyed::add); // idempotent: what is gone is skipped
                assertThat(destroyed).allMatch(l -> l.contains("does not exist") || l.contains("is not attached"));
            }
        }
    }

    @Test
    void aFailedStepIsNamed() throws Exception {
        try (FakeIamAndLambda fake = new FakeIamAndLambda()) {
            // The function exists but Lambda reports it Failed: the waiter gives up, and the error names the step.
            DeploySettings s = DeploySettings.from(settings("iam-endpoint", fake.iamEndpoint().toString(),
                    "lambda-endpoint", fake.lambdaEndpoint().toString(), "secrets-endpoint",
                    fake.secretsEndpoint().toString(), "function-name", "dup"));
            try (AwsDeployer d = new AwsDeployer(s, S3Mock.credentials(), Duration.ZERO, Duration.ZERO)) {
                d.deploy(DeployPlan.deploy(s, artifact(10)), l -> { });
                fake.functions.get("dup").put("State", "Failed");
                fake.functions.get("dup").put("StateReasonCode", "InvalidRuntime");
                assertThatThrownBy(() -> d.deploy(DeployPlan.deploy(s, artifact(10)), l -> { }))
                        .isInstanceOf(AwsDeployer.DeployException.class)
                        .hasMessageContaining("cannot wait until dup is active");
            }
        }
    }
}

package io.numpywren.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.ServiceConfig;
import com.google.iam.v1.Binding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code numpywren gcp deploy} and {@code destroy} through Google's own IAM, Secret Manager, Cloud
 * Functions and Cloud Storage clients, against stand-ins that keep what they are told: the
 * service account, its prefix-limited object role, the key's secret (made once, kept on
 * redeploy, readable by that account only, never printed), the function's configuration and the
 * uploaded code; then destroy removes all of it but the bucket.
 */
class GcpDeployerTest {
    @TempDir
    Path tmp;

    private static GcpSettings settings(FakeGcs gcs, FakeGoogleApis apis) {
        return GcpSettings.from(Map.of("project", "my-project", "bucket", "my-bucket", "prefix", "runs", "memory", "8192",
                "timeout-seconds", "1800", "concurrency", "40", "storage-host", gcs.host(),
                "functions-endpoint", apis.endpoint().toString(), "secrets-endpoint", apis.endpoint().toString(),
                "iam-endpoint", apis.endpoint().toString()));
    }

    @Test
    void deployRedeployAndDestroy() throws Exception {
        Path jar = tmp.resolve("function.jar");
        Files.write(jar, "the function's jar".getBytes());
        try (FakeGcs gcs = new FakeGcs(); FakeGoogleApis apis = new FakeGoogleApis()) {
            GcpSettings s = settings(gcs, apis);
            GcpDeployPlan plan = GcpDeployPlan.deploy(s, "numpywren", "auto", jar);
            List<String> log = new ArrayList<>();
            GcpDeployer.Deployed deployed;
            try (GcpDeployer deployer = new GcpDeployer(s)) {
                deployed = deployer.deploy(plan, log::add);
            }

            String email = "numpywren-worker@my-project.iam.gserviceaccount.com";
            assertThat(apis.serviceAccounts).containsKey(email);
            JsonNode bucketPolicy = gcs.policy("my-bucket");
            assertThat(bucketPolicy.get("version").asInt()).isEqualTo(3);
            JsonNode binding = bucketPolicy.get("bindings").get(0);
            assertThat(binding.get("role").asText()).isEqualTo("roles/storage.objectUser");
            assertThat(binding.get("members").toString()).contains("serviceAccount:" + email);
            assertThat(binding.get("condition").get("expression").asText())
                    .isEqualTo("resource.name.startsWith(\"projects/_/buckets/my-bucket/objects/runs/\")");

            String secret = "projects/my-project/secrets/numpywren-worker-task-key";
            assertThat(apis.secrets.get(secret)).hasSize(1);
            String key = apis.secrets.get(secret).get(0).toStringUtf8();
            assertThat(java.util.Base64.getDecoder().decode(key)).hasSize(32);
            List<Binding> secretBindings = apis.iamPolicies.get(secret).getBindingsList();
            assertThat(secretBindings).singleElement().satisfies(b -> {
                assertThat(b.getRole()).isEqualTo("roles/secretmanager.secretAccessor");
                assertThat(b.getMembersList()).containsExactly("serviceAccount:" + email);
            });

            Function f = apis.functions.get("projects/my-project/locations/us-central1/functions/numpywren-worker");
            assertThat(f.getBuildConfig().getRuntime()).isEqualTo("java17");
            assertThat(f.getBuildConfig().getEntryPoint()).isEqualTo("io.numpywren.gcp.WorkerFunction");
            ServiceConfig c = f.getServiceConfig();
            assertThat(c.getAvailableMemory()).isEqualTo("8192Mi");
            assertThat(c.getAvailableCpu()).isEqualTo("2");
            assertThat(c.getTimeoutSeconds()).isEqualTo(1800);
            assertThat(c.getMaxInstanceCount()).isEqualTo(40);
            assertThat(c.getMaxInstanceRequestConcurrency()).isEqualTo(1);
            assertThat(c.getServiceAccountEmail()).isEqualTo(email);
            assertThat(c.getEnvironmentVariablesMap()).containsEntry("NUMPYWREN_BUCKET", "my-bucket")
                    .containsEntry("NUMPYWREN_PREFIX", "runs").containsEntry("NUMPYWREN_ROOT", "numpywren")
                    .doesNotContainKey("NUMPYWREN_TASK_KEY");
            assertThat(c.getSecretEnvironmentVariablesList()).singleElement().satisfies(v -> {
                assertThat(v.getKey()).isEqualTo("NUMPYWREN_TASK_KEY");
                assertThat(v.getSecret()).isEqualTo("numpywren-worker-task-key");
                assertThat(v.getVersion()).isEqualTo("latest");
            });
            byte[] source = apis.sources.get(f.getBuildConfig().getSource().getStorageSource().getObject());
            try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(source))) {
                assertThat(zip.getNextEntry().getName()).isEqualTo("numpywren-worker-function.jar");
                assertThat(new String(zip.readAllBytes())).isEqualTo("the function's jar");
            }
            assertThat(deployed.url()).isEqualTo(apis.functionUrl);
            assertThat(String.join("\n", log)).contains("created function").doesNotContain(key);

            // Redeploy: the key is kept, the bucket keeps one binding, the function is updated.
            log.clear();
            try (GcpDeployer deployer = new GcpDeployer(s)) {
                deployer.deploy(plan, log::add);
            }
            assertThat(apis.secrets.get(secret)).hasSize(1);
            assertThat(gcs.policy("my-bucket").get("bindings")).hasSize(1);
            assertThat(apis.iamPolicies.get(secret).getBindingsList()).hasSize(1);
            assertThat(log).contains("kept the task-signing key in secret " + secret)
                    .anyMatch(l -> l.startsWith("updated function"));

            // Destroy: everything but the bucket goes; a second destroy finds nothing and still succeeds.
            log.clear();
            try (GcpDeployer deployer = new GcpDeployer(s)) {
                deployer.destroy(GcpDeployPlan.destroy(s), log::add);
                deployer.destroy(GcpDeployPlan.destroy(s), log::add);
            }
            assertThat(apis.functions).isEmpty();
            assertThat(apis.secretMetadata).isEmpty();
            assertThat(apis.serviceAccounts).isEmpty();
            assertThat(gcs.policy("my-bucket").has("bindings") ? gcs.policy("my-bucket").get("bindings").size() : 0).isZero();
            assertThat(log).contains("no function projects/my-project/locations/us-central1/functions/numpywren-worker",
                    "no secret " + secret);
        }
    }

    @Test
    void thePlanNamesEveryResourceAndNoKey() throws Exception {
        Path jar = tmp.resolve("function.jar");
        Files.write(jar, new byte[1024]);
        GcpSettings s = GcpSettings.from(Map.of("project", "my-project", "bucket", "my-bucket", "prefix", "runs"));
        String plan = String.join("\n", GcpDeployPlan.deploy(s, "numpywren", "auto", jar).deploySteps());
        assertThat(plan).contains("numpywren-worker@my-project.iam.gserviceaccount.com")
                .contains("roles/storage.objectUser on objects below gs://my-bucket/runs/ only")
                .contains("resource.name.startsWith(\"projects/_/buckets/my-bucket/objects/runs/\")")
                .contains("projects/my-project/secrets/numpywren-worker-task-key")
                .contains("roles/secretmanager.secretAccessor on that secret only")
                .contains("projects/my-project/locations/us-central1/functions/numpywren-worker")
                .contains("memory, vCPU:  4096Mi, 2").contains("timeout:       3600 s")
                .contains("at most 100, one request each")
                .contains("NUMPYWREN_TASK_KEY=projects/my-project/secrets/numpywren-worker-task-key/versions/latest");
        String destroy = String.join("\n", GcpDeployPlan.destroy(s).destroySteps());
        assertThat(destroy).contains("delete the function").contains("delete the secret")
                .contains("delete the service account").contains("kept: the bucket my-bucket");
        assertThatThrownBy(() -> GcpDeployPlan.deploy(s, "numpywren", "auto", tmp.resolve("absent.jar")))
                .hasMessageContaining("absent.jar does not exist").hasMessageContaining("mvn -B -pl backend-gcp");
        assertThatThrownBy(() -> GcpDeployPlan.deploy(s, "numpywren", "jblas", jar))
                .hasMessageContaining("kernel-provider must be auto, openblas or netlib");
    }
}

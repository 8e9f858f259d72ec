package io.numpywren.cli;

import io.numpywren.gcp.FakeGcs;
import io.numpywren.gcp.FakeGoogleApis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code numpywren gcp deploy|destroy}: the plan with --dry-run and no Google call; a real deploy on stand-ins; bad arguments. */
class GcpCommandTest {
    @TempDir
    Path tmp;

    private Path jar() throws Exception {
        Path jar = tmp.resolve("function.jar");
        Files.write(jar, new byte[2 * 1024 * 1024]);
        return jar;
    }

    private Path conf(String endpoint, String storageHost) throws Exception {
        Path conf = tmp.resolve("gcp.conf");
        Files.writeString(conf, "numpywren.backends.gcp { functions-endpoint = \"" + endpoint + "\"\n secrets-endpoint = \""
                + endpoint + "\"\n iam-endpoint = \"" + endpoint + "\"\n storage-host = \"" + storageHost + "\" }\n");
        return conf;
    }

    @Test
    void dryRunPrintsThePlanAndCallsNothing() throws Exception {
        try (ServerSocket trap = new ServerSocket(0)) {
            String endpoint = "http://127.0.0.1:" + trap.getLocalPort();
            CliRun r = CliRun.of("gcp", "deploy", "--dry-run", "--project", "my-project", "--region", "europe-west4",
                    "--bucket", "nw-blocks", "--prefix", "jobs", "--memory", "16384", "--max-instances", "500",
                    "--timeout-seconds", "900", "--artifact", jar().toString(), "--config", conf(endpoint, endpoint).toString());

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("plan: numpywren gcp deploy")
                    .contains("project my-project, region europe-west4")
                    .contains("service account numpywren-worker@my-project.iam.gserviceaccount.com")
                    .contains("resource.name.startsWith(\"projects/_/buckets/nw-blocks/objects/jobs/\")")
                    .contains("projects/my-project/locations/europe-west4/functions/numpywren-worker")
                    .contains("memory, vCPU:  16384Mi, 4").contains("timeout:       900 s").contains("at most 500")
                    .contains("(2.0 MB)").endsWith("dry run: no Google Cloud call was made\n");
            trap.setSoTimeout(200);
            assertThatThrownBy(trap::accept).as("a connection to the Google endpoints").isInstanceOf(SocketTimeoutException.class);

            CliRun d = CliRun.of("gcp", "destroy", "--dry-run", "--project", "my-project", "--bucket", "nw-blocks");
            assertThat(d.exit()).as(d.err()).isZero();
            assertThat(d.out()).contains("delete the function projects/my-project/locations/us-central1/functions/numpywren-worker")
                    .contains("kept: the bucket nw-blocks");
        }
    }

    @Test
    void deployAndDestroyOnTheStandIns() throws Exception {
        try (FakeGcs gcs = new FakeGcs(); FakeGoogleApis apis = new FakeGoogleApis()) {
            Path conf = conf(apis.endpoint().toString(), gcs.host());
            CliRun r = CliRun.of("gcp", "deploy", "--project", "my-project", "--bucket", "nw-blocks", "--artifact", jar().toString(),
                    "--config", conf.toString());
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("created service account").contains("created secret")
                    .contains("deployed: projects/my-project/locations/us-central1/functions/numpywren-worker at " + apis.functionUrl);
            String key = apis.secrets.get("projects/my-project/secrets/numpywren-worker-task-key").get(0).toStringUtf8();
            assertThat(r.out() + r.err()).doesNotContain(key);

            CliRun d = CliRun.of("gcp", "destroy", "--project", "my-project", "--bucket", "nw-blocks", "--config", conf.toString());
            assertThat(d.exit()).as(d.err()).isZero();
            assertThat(d.out()).endsWith("destroyed\n");
            assertThat(apis.functions).isEmpty();
            assertThat(apis.serviceAccounts).isEmpty();
        }
    }

    @Test
    void badSettingsGetOneLineNamingEach() throws Exception {
        CliRun r = CliRun.of("gcp", "deploy", "--dry-run", "--project", "my-project", "--bucket", "nw-blocks", "--memory", "65536",
                "--cpu", "3", "--artifact", jar().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: numpywren.backends.gcp: ").contains("memory must lie in [128, 32768], got 65536")
                .contains("cpu must be 1, 2, 4, 6 or 8, got 3");
        assertThat(r.err().lines()).hasSize(1);
    }
}

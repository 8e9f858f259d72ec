package io.numpywren.cli;

import io.numpywren.azure.FakeAzureResourceManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code numpywren azure deploy|destroy}: the plan with --dry-run and no Azure call; a real deploy on the stand-in; bad arguments. */
class AzureCommandTest {
    private static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

    @TempDir
    Path tmp;

    private Path appZip() throws Exception {
        return FakeAzureResourceManager.minimalApp(tmp);
    }

    private Path conf(String management, String scm) throws Exception {
        Path conf = tmp.resolve("azure.conf");
        Files.writeString(conf, "numpywren.backends.azure { management-endpoint = \"" + management + "\"\n scm-url = \"" + scm
                + "\"\n tenant = \"00000000-0000-0000-0000-0000000000aa\"\n"
                + " driver-principal = \"99999999-8888-7777-6666-555555555555\" }\n");
        return conf;
    }

    @Test
    void dryRunPrintsThePlanAndCallsNothing() throws Exception {
        try (ServerSocket trap = new ServerSocket(0)) {
            String endpoint = "http://127.0.0.1:" + trap.getLocalPort();
            CliRun r = CliRun.of("azure", "deploy", "--dry-run", "--subscription", SUBSCRIPTION, "--resource-group", "nw-rg",
                    "--location", "westeurope", "--app-name", "nw-worker", "--storage-account", "nwblocks", "--prefix", "jobs",
                    "--memory", "2048", "--max-instances", "500", "--artifact", appZip().toString(),
                    "--config", conf(endpoint, endpoint).toString());

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("plan: numpywren azure deploy")
                    .contains("subscription " + SUBSCRIPTION + ", region westeurope")
                    .contains("Flex Consumption plan nw-worker-plan").contains("memory:        2048 MB per instance")
                    .contains("at most 500, one request each")
                    .contains("Storage Blob Data Contributor on the container numpywren of nwblocks (the blocks live below jobs/)")
                    .contains("NUMPYWREN_PREFIX=jobs").endsWith("dry run: no Azure call was made\n");
            trap.setSoTimeout(200);
            assertThatThrownBy(trap::accept).as("a connection to Azure's endpoints").isInstanceOf(SocketTimeoutException.class);

            CliRun d = CliRun.of("azure", "destroy", "--dry-run", "--subscription", SUBSCRIPTION, "--resource-group", "nw-rg",
                    "--app-name", "nw-worker", "--storage-account", "nwblocks");
            assertThat(d.exit()).as(d.err()).isZero();
            assertThat(d.out()).contains("delete the function app nw-worker").contains("kept: the resource group nw-rg");
        }
    }

    @Test
    void deployAndDestroyOnTheStandIn() throws Exception {
        try (FakeAzureResourceManager arm = new FakeAzureResourceManager()) {
            Path conf = conf(arm.endpoint().toString(), arm.scmUrl("nw-worker").toString());
            String[] where = {"--subscription", SUBSCRIPTION, "--resource-group", "nw-rg", "--app-name", "nw-worker",
                    "--storage-account", "nwblocks", "--config", conf.toString()};
            CliRun r = CliRun.of(concat(new String[]{"azure", "deploy", "--artifact", appZip().toString()}, where));
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("created key vault nw-worker-kv").contains("the app's package is deployed")
                    .contains("deployed: nw-worker at https://nw-worker.azurewebsites.net/api/task");
            for (String key : arm.secretValues.values()) {
                assertThat(r.out() + r.err()).doesNotContain(key);
            }

            CliRun d = CliRun.of(concat(new String[]{"azure", "destroy"}, where));
            assertThat(d.exit()).as(d.err()).isZero();
            assertThat(d.out()).endsWith("destroyed\n");
            assertThat(arm.resourcesWith("/sites/")).isEmpty();
            assertThat(arm.resourcesWith("/roleAssignments/")).isEmpty();
        }
    }

    @Test
    void badSettingsGetOneLineNamingEach() throws Exception {
        CliRun r = CliRun.of("azure", "deploy", "--dry-run", "--subscription", "nope", "--app-name", "Bad_Name",
                "--storage-account", "nwblocks", "--memory", "3000", "--artifact", appZip().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: numpywren.backends.azure: ").contains("app-name 'Bad_Name'")
                .contains("memory must be 2048 or 4096").contains("subscription 'nope' is not a subscription id")
                .contains("resource-group is not set");
        assertThat(r.err().lines()).hasSize(1);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

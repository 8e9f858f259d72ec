package io.numpywren.cli;

import io.numpywren.azure.AzureStandIns;
import io.numpywren.azure.Azurite;
import io.numpywren.testing.StandIns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code run cholesky --backend azure --config FILE}, as backend-azure/README.md shows it: the
 * settings the stand-ins write choose the backend and the store, every task runs in the packaged
 * function app under the test host with the function key, its blocks in Azurite.
 */
class AzureRunTest {
    @TempDir
    Path tmp;

    @Test
    void aCholeskyRunsOnTheAzureFunctionsStandIns() throws Exception {
        assumeTrue(Azurite.executable().isPresent(), "Azurite is not installed: npm install -g azurite@3.35.0");
        try (AzureStandIns standIns = AzureStandIns.start()) {
            Path conf = tmp.resolve("azure.conf");
            Files.writeString(conf, StandIns.hocon("the stand-ins", standIns.settings()));

            CliRun r = CliRun.of("run", "cholesky", "--n", "512", "--block", "128", "--no-progress", "--backend", "azure",
                    "--store", "az://numpywren/blocks", "--config", conf.toString());

            assertThat(r.exit()).as(r.err() + "\n" + r.out()).isZero();
            assertThat(r.out()).contains("on the azure backend (2 workers)").contains("tasks                20")
                    .containsPattern("residual: \\d\\.\\d+e-1\\d")
                    .containsPattern("estimated cost       \\$\\d+\\.\\d{4} \\(Azure Functions: 20 executions, "
                            + "\\d+\\.\\d GB-s; Blob Storage: 20 write, \\d+ read operations");
            assertThat(r.out() + r.err() + standIns.host.output()).doesNotContain(standIns.key());
        }
    }
}

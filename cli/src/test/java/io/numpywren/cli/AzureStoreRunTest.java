package io.numpywren.cli;

import io.numpywren.azure.Azurite;
import io.numpywren.azure.BlobBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run --store az://container/prefix}: a real job whose blocks all go through Azure's client
 * to Azurite, checked, and nothing left in the container afterwards.
 */
class AzureStoreRunTest {
    @TempDir
    Path tmp;

    @Test
    void aCholeskyRunsOnABlobStorageStoreAndLeavesTheContainerEmpty() throws Exception {
        Azurite azurite = Azurite.shared();
        try (BlobBlockStore container = azurite.newContainer("cli-runs").build()) {
            Path conf = tmp.resolve("azure.conf");
            Files.writeString(conf, "numpywren.stores.az.connection-string = \"" + azurite.connectionString() + "\"\n");

            CliRun r = CliRun.of("run", "cholesky", "--n", "256", "--block", "64", "--no-progress",
                    "--store", "az://cli-runs/runs", "--config", conf.toString());

            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("tasks                20").containsPattern("residual: \\d\\.\\d+e-\\d\\d");
            List<String> left = new ArrayList<>();
            container.list("").forEach(left::add);
            assertThat(left).as("blobs left in the container").isEmpty();
        }
    }
}

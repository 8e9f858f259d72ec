package io.numpywren.cli;

import io.numpywren.gcp.GcpStandIns;
import io.numpywren.testing.StandIns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run cholesky --config FILE} on the gcp backend, as backend-gcp/README.md shows it: the
 * settings the stand-ins write choose the backend and the store, the driver reads the key from
 * Secret Manager and finds the function through Cloud Functions' API, every task runs in the
 * worker function under the Functions Framework's invoker, and the report gives a GCP cost.
 */
class GcpRunTest {
    @TempDir
    Path tmp;

    @Test
    void aCholeskyRunsOnTheCloudFunctionsStandInsAndReportsItsCost() throws Exception {
        try (GcpStandIns standIns = GcpStandIns.start()) {
            Path conf = tmp.resolve("gcp.conf");
            Files.writeString(conf, StandIns.hocon("the stand-ins", standIns.settings()));
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();

            int exit = Main.execute(new String[] {"run", "cholesky", "--n", "512", "--block", "128", "--no-progress",
                    "--config", conf.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));

            assertThat(exit).as(err + "\n" + out).isZero();
            assertThat(out.toString()).contains("on the gcp backend (2 workers)").contains("tasks                20")
                    .containsPattern("residual: \\d\\.\\d+e-1\\d")
                    .containsPattern("estimated cost       \\$\\d+\\.\\d{4} \\(Cloud Functions: 20 requests, "
                            + "\\d+\\.\\d vCPU-s, \\d+\\.\\d GiB-s; Cloud Storage: \\d+ Class A, \\d+ Class B operations");
            assertThat(standIns.gcs.objects(GcpStandIns.BUCKET)).as("objects left in the bucket").isEmpty();
            assertThat(out + err.toString() + standIns.function.output()).doesNotContain(standIns.key());
        }
    }

    @Test
    void aMissingConfigFileIsNamed() {
        StringWriter err = new StringWriter();
        int exit = Main.execute(new String[] {"run", "cholesky", "--n", "64", "--block", "32", "--config",
                tmp.resolve("absent.conf").toString()}, new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("--config " + tmp.resolve("absent.conf") + " is not a file");
    }
}

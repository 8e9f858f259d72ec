package io.numpywren.cli;

import com.typesafe.config.ConfigFactory;
import io.numpywren.gcp.FakeGcs;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code run --store gs://bucket/prefix}: a real job whose blocks all go through Google's client to
 * a Cloud Storage stand-in, checked, and nothing left in the bucket afterwards.
 */
class GcsStoreRunTest {

    @Test
    void aCholeskyRunsOnACloudStorageStoreAndLeavesTheBucketEmpty() throws Exception {
        try (FakeGcs gcs = new FakeGcs()) {
            System.setProperty("numpywren.stores.gs.host", gcs.host());
            System.setProperty("numpywren.stores.gs.project", "numpywren-test");
            ConfigFactory.invalidateCaches();
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit;
            try {
                exit = Main.execute(new String[] {"run", "cholesky", "--n", "256", "--block", "64", "--no-progress",
                        "--store", "gs://nw-blocks/runs"}, new PrintWriter(out, true), new PrintWriter(err, true));
            } finally {
                System.clearProperty("numpywren.stores.gs.host");
                System.clearProperty("numpywren.stores.gs.project");
                ConfigFactory.invalidateCaches();
            }

            assertThat(exit).as(err.toString()).isZero();
            assertThat(out.toString()).contains("tasks                20").containsPattern("residual: \\d\\.\\d+e-\\d\\d");
            assertThat(gcs.objects("nw-blocks")).as("objects left in the bucket").isEmpty();
        }
    }
}

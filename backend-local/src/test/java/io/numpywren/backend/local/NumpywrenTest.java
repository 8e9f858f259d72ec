package io.numpywren.backend.local;

import com.typesafe.config.ConfigFactory;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Numpywren.create(Config)} finds the local backend by the name in the configuration and
 * passes it its settings. (Every algorithm end to end, faults and bad inputs: the TCK suites,
 * Local*TckTest.)
 */
class NumpywrenTest {

    @Test
    void aNumpywrenMadeFromConfigurationRunsOnTheBackendItNames() throws Exception {
        try (Numpywren nw = Numpywren.create(ConfigFactory.parseString("""
                numpywren.backend = local
                numpywren.backends.local.workers = 2
                """))) {
            assertThat(nw.backend().name()).isEqualTo("local");
            assertThat(nw.backend().capabilities().maxConcurrency()).as("workers from the configuration").isEqualTo(2);
            BlockMatrix a = nw.randomSpd("A", 40, 16, 3);
            JobResult r = nw.cholesky(a).toCompletableFuture().get(60, TimeUnit.SECONDS);
            Block l = BlockMatrices.toDense(r.output("L"));
            Block ad = BlockMatrices.toDense(a);
            double worst = 0;
            for (int i = 0; i < 40; i++) {
                for (int j = 0; j < 40; j++) {
                    double s = 0;
                    for (int k = 0; k < 40; k++) {
                        s += l.get(i, k) * l.get(j, k);
                    }
                    worst = Math.max(worst, Math.abs(s - ad.get(i, j)));
                }
            }
            assertThat(worst).as("max |LLᵀ − A|").isLessThan(1e-10 * 40);
            assertThat(r.report().backend()).isEqualTo("local");
        }
    }
}

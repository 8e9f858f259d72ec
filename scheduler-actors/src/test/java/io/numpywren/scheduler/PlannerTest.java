package io.numpywren.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.lambdapack.Analyser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The planner runs the real coordinator on a simulated platform: every task of the real DAG is
 * planned; simulated time obeys the bounds any schedule must (no faster than the work spread over
 * every worker, no slower than the work done one task at a time); more workers never plan slower;
 * injected deaths are caught by leases and retried; a bad model figure is named.
 */
class PlannerTest {
    private static final Config CONFIG = ConfigFactory.parseString("""
            numpywren.plan.platforms.test {
              vcpus = 1, memory-mb = 4096
              gflops-per-vcpu { default = 1, gemm = 2 }
              store-read-mb-per-second = 100, store-write-mb-per-second = 50, store-request = 10ms
              invoke = 5ms, cold-start = 500ms, max-concurrency = 64
              driver-request = 20ms, keys-per-delete = 1000
              death-rate = 0, straggler-rate = 0, straggler-factor = 4
            }
            """).withFallback(ConfigFactory.defaultReference()).resolve();

    private static PlatformModel model() {
        return PlatformModel.from(CONFIG, "test");
    }

    private static SchedulerSettings settings() {
        return SchedulerSettings.from(CONFIG);
    }

    @Test
    void everyTaskOfTheRealDagIsPlannedWithinTheBoundsOfAnySchedule() {
        JobPlan job = JobPlans.builtin("cholesky", 1024, 1024, 128, 8, 1L << 30);
        Analyser analyser = job.program().analyser();
        Planner.Plan p = Planner.plan(job, model(), settings(), 8, 1);
        JobReport r = p.report();
        assertThat(r.tasks()).isEqualTo(analyser.taskCount()).isEqualTo(120);
        assertThat(r.retries()).isZero();
        assertThat(r.backend()).isEqualTo("test");
        assertThat(p.peakWorkers()).isBetween(1, 8);
        assertThat(p.coldStarts()).isEqualTo(p.peakWorkers());
        assertThat(p.workerStoreRequests()).isPositive();
        assertThat(p.driverStoreRequests()).as("intermediates deleted in batches, and a clean-up").isPositive();
        double busy = r.workerSecondsBusy();
        assertThat(r.wallSeconds()).as("no faster than all the work spread over 8 workers")
                .isGreaterThanOrEqualTo(busy / 8);
        // No slower than one task at a time, each paying a cold start and the invocation.
        assertThat(r.wallSeconds()).isLessThanOrEqualTo(busy + r.tasks() * 0.505 + 1);
        assertThat(r.bytesRead()).isPositive();
        assertThat(r.bytesWritten()).isEqualTo(analyser.taskCount() * (128L * 128 * 8 + 20));
        assertThat(p.driverBusyFraction()).isBetween(0.0, 1.0);
    }

    @Test
    void moreWorkersNeverPlanSlower() {
        JobPlan job = JobPlans.builtin("cholesky", 2048, 2048, 256, 16, 1L << 30);
        double one = Planner.plan(job, model(), settings(), 1, 1).report().wallSeconds();
        double four = Planner.plan(job, model(), settings(), 4, 1).report().wallSeconds();
        double sixteen = Planner.plan(job, model(), settings(), 16, 1).report().wallSeconds();
        assertThat(four).isLessThan(one);
        assertThat(sixteen).isLessThanOrEqualTo(four);
    }

    @Test
    void deadWorkersAreCaughtByTheirLeasesAndTheirTasksRetried() {
        JobPlan job = JobPlans.builtin("qr", 1024, 1024, 128, 8, 1L << 30);
        Planner.Plan p = Planner.plan(job, model().withFaults(0.05, 0.05), settings(), 8, 7);
        assertThat(p.deaths()).isPositive();
        assertThat(p.stragglers()).isPositive();
        assertThat(p.report().tasks()).isEqualTo(job.program().analyser().taskCount());
        assertThat(p.report().leaseExpiries()).isGreaterThanOrEqualTo(1);
        assertThat(p.report().retries()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void everyAlgorithmPlans() {
        for (String algorithm : new String[] {"gemm", "cholesky", "tsqr", "qr", "svd", "solve"}) {
            // tsqr factors a tall-skinny matrix: one block column.
            JobPlan job = JobPlans.builtin(algorithm, 512, algorithm.equals("tsqr") ? 128 : 512, 128, 4, 1L << 30);
            Planner.Plan p = Planner.plan(job, model(), settings(), 4, 1);
            assertThat(p.report().tasks()).as(algorithm).isEqualTo(job.program().analyser().taskCount()).isPositive();
        }
    }

    @Test
    void aKernelsRateAtTheNearestMeasuredBlockSizeWins() {
        Config c = ConfigFactory.parseString("""
                numpywren.plan.platforms.test { vcpus = 2, gflops-per-vcpu { default = 1, gemm = 5, "gemm@512" = 10,
                  "gemm@2048" = 30 } }
                """).withFallback(CONFIG);
        PlatformModel m = PlatformModel.from(c, "test");
        assertThat(m.workerGflops("gemm", 256)).isEqualTo(20);
        assertThat(m.workerGflops("gemm", 1024)).isEqualTo(20);
        assertThat(m.workerGflops("gemm", 4096)).isEqualTo(60);
        assertThat(m.workerGflops("chol", 1024)).isEqualTo(2);
    }

    @Test
    void aBadModelIsRefusedNamingEachFigure() {
        Config bad = ConfigFactory.parseString("""
                numpywren.plan.platforms.test { vcpus = 0, store-read-mb-per-second = -1, death-rate = 1.5,
                  gflops-per-vcpu { gemm = 2 } }
                """).withFallback(CONFIG);
        assertThatThrownBy(() -> PlatformModel.from(bad, "test"))
                .hasMessageContaining("numpywren.plan.platforms.test").hasMessageContaining("vcpus must be positive")
                .hasMessageContaining("store-read-mb-per-second must be positive")
                .hasMessageContaining("death-rate must lie in [0, 1)");
        assertThatThrownBy(() -> PlatformModel.from(CONFIG, "mainframe"))
                .hasMessageContaining("no platform model 'mainframe'").hasMessageContaining("aws, azure, gcp, local");
        assertThatThrownBy(() -> JobPlans.builtin("lu", 512, 512, 128, 4, 1L << 30)).hasMessageContaining("no built-in algorithm 'lu'");
    }
}

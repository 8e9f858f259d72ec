package io.numpywren.backend.local;

import io.numpywren.scheduler.JobEvent;
import io.numpywren.scheduler.JobManager;
import io.numpywren.scheduler.JobPlan;
import io.numpywren.scheduler.SchedulerSettings;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.backend.local.LocalBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.storage.InMemoryBlockStore;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** An application spawns the JobManager behaviour in its own actor system and talks to it with typed messages. */
class EmbeddingTest {
    private final ActorTestKit testKit = ActorTestKit.create();
    private final InMemoryBlockStore store = new InMemoryBlockStore();
    private final ComputeBackend backend = new LocalBackend(store, LinearAlgebraProviders.configured(), 2);

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
        backend.close();
    }

    private JobPlan choleskyPlan(String id, long n, int block) {
        BlockMatrix a = BlockMatrices.generate(BlockMatrix.builder(store, "app/in", "A" + id).shape(n, n).blockSize(block),
                MatrixGenerator.spd(7));
        BuiltinPrograms.Job job = BuiltinPrograms.cholesky(a, "app/jobs/" + id);
        return new JobPlan(id, "cholesky", "app/jobs/" + id, job.program(), job.outputs(), job.intermediates());
    }

    private static JobEvent skipProgress(TestProbe<JobEvent> probe) {
        JobEvent e;
        do {
            e = probe.receiveMessage(Duration.ofSeconds(30));
        } while (e instanceof JobEvent.Progress);
        return e;
    }

    @Test
    void aJobSubmittedToTheEmbeddedManagerReportsProgressThenSuccess() {
        ActorRef<JobManager.Command> manager = testKit.spawn(
                JobManager.create(backend, store, SchedulerSettings.defaults()), "numpywren");
        TestProbe<JobEvent> events = testKit.createTestProbe();
        manager.tell(new JobManager.SubmitJob(choleskyPlan("embedded", 48, 8), events.getRef()));

        JobEvent outcome = skipProgress(events);
        assertThat(outcome).isInstanceOfSatisfying(JobEvent.Succeeded.class, s -> {
            assertThat(s.report().tasks()).isEqualTo(6 + 15 + 35);
            assertThat(s.jobId()).isEqualTo("embedded");
        });
        assertThat(store.list("app/jobs/embedded/")).allMatch(k -> k.startsWith("app/jobs/embedded/L/"));
    }

    @Test
    void aCancelledJobFailsAndLeavesNoIntermediates() {
        ActorRef<JobManager.Command> manager = testKit.spawn(
                JobManager.create(backend, store, SchedulerSettings.defaults()), "numpywren");
        TestProbe<JobEvent> events = testKit.createTestProbe();
        manager.tell(new JobManager.SubmitJob(choleskyPlan("doomed", 400, 8), events.getRef()));
        manager.tell(new JobManager.CancelJob("doomed", "the user changed their mind"));

        JobEvent outcome = skipProgress(events);
        assertThat(outcome).isInstanceOfSatisfying(JobEvent.Failed.class,
                f -> assertThat(f.message()).contains("cancelled: the user changed their mind"));
        assertThat(store.list("app/jobs/doomed/")).isEmpty();
        assertThat(store.list("app/in/Adoomed/")).hasSize(50 * 50 + 1);
    }

    @Test
    void aDurableJobInTheApplicationsOwnActorSystemIsJournaled(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.parseString(
                "numpywren.journal { kind = embedded, directory = \"" + dir + "\" }")
                .withFallback(com.typesafe.config.ConfigFactory.load());
        io.numpywren.scheduler.JournalSettings journal = io.numpywren.scheduler.JournalSettings.from(config, "file:" + dir);
        ActorTestKit app = ActorTestKit.create("app", journal.pekkoConfig().withFallback(config).resolve());
        try {
            journal.createTables(app.system());
            ActorRef<JobManager.Command> manager = app.spawn(
                    JobManager.create(backend, store, SchedulerSettings.defaults(), journal), "numpywren");
            TestProbe<JobEvent> events = app.createTestProbe();
            manager.tell(new JobManager.SubmitJob(choleskyPlan("durable", 48, 8), events.getRef()));
            assertThat(skipProgress(events)).isInstanceOf(JobEvent.Succeeded.class);

            TestProbe<JobEvent> again = app.createTestProbe();
            JobEvent refused;
            do { // until the finished job's actor has stopped
                manager.tell(new JobManager.ResumeJob("durable", again.getRef()));
                refused = skipProgress(again);
            } while (refused instanceof JobEvent.Failed f && f.message().contains("already running"));
            assertThat(refused).isInstanceOfSatisfying(JobEvent.Failed.class,
                    f -> assertThat(f.message()).contains("job durable already succeeded"));
        } finally {
            app.shutdownTestKit();
        }

        // Without the journal's plugins in its configuration, an actor system gets a clear refusal.
        TestProbe<JobEvent> refusal = testKit.createTestProbe();
        testKit.spawn(JobManager.create(backend, store, SchedulerSettings.defaults(), journal), "durable-manager")
                .tell(new JobManager.SubmitJob(choleskyPlan("unjournaled", 16, 8), refusal.getRef()));
        assertThat(skipProgress(refusal)).isInstanceOfSatisfying(JobEvent.Failed.class,
                f -> assertThat(f.message()).contains("include JournalSettings.pekkoConfig()"));
    }
}

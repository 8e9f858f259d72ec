package io.numpywren.backend.local;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobFailedException;
import io.numpywren.scheduler.JobJournal;
import io.numpywren.scheduler.JobJournals;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Jobs journaled in a real PostgreSQL (started by the test from Maven's embedded binaries) through
 * Pekko's JDBC plugin, as a team configures it: a driver dies, another resumes its job from the
 * database, the finished tasks do not run again, and the result is right.
 */
class PostgresJournalTest {
    private static EmbeddedPostgres postgres;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    private static Config journaled() {
        return ConfigFactory.parseMap(Map.of(
                "numpywren.journal.kind", "jdbc",
                "numpywren.journal.url", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "numpywren.journal.user", "postgres",
                "numpywren.journal.snapshot-every", "2"));
    }

    /**
     * Runs the first {@code passing} submissions, then none (its later workers never start), and
     * records the tasks that succeeded.
     */
    private static final class Stalling implements ComputeBackend {
        private final ComputeBackend delegate;
        private final int passing;
        private final AtomicInteger seen = new AtomicInteger();
        final Map<String, Boolean> succeeded = new ConcurrentHashMap<>();

        Stalling(ComputeBackend delegate, int passing) {
            this.delegate = delegate;
            this.passing = passing;
        }

        @Override
        public String name() {
            return delegate.name();
        }

        @Override
        public BackendCapabilities capabilities() {
            return delegate.capabilities();
        }

        private final AtomicInteger answered = new AtomicInteger();

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            if (seen.incrementAndGet() > passing) {
                return new CompletableFuture<>();
            }
            return delegate.submit(spec).whenComplete((r, e) -> {
                if (r != null && r.ok()) {
                    succeeded.put(spec.taskId(), true);
                }
                answered.incrementAndGet();
            });
        }

        /** Whether every passing submission has answered. */
        boolean quiet() {
            return answered.get() >= passing;
        }

        @Override
        public boolean cancel(String jobId, String taskId) {
            return false;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    @Test
    void aJobWhoseDriverDiesIsResumedFromPostgres() throws Exception {
        FileSystemBlockStore store = new FileSystemBlockStore(dir.resolve("store"));
        Stalling first = new Stalling(new LocalBackend(store, LinearAlgebraProviders.configured(), 2), 15);
        String jobId;
        BlockMatrix a;
        try (Numpywren dead = Numpywren.create(journaled(), new ForwardingBlockStore(store) {
            @Override
            public void close() {
                // the store outlives the driver
            }
        }, first)) {
            a = dead.randomSpd("A", 80, 16, 3);
            dead.cholesky(a);
            JobJournals.JobSummary summary = awaitJournaled(dead, first);
            jobId = summary.jobId();
            assertThat(summary.state()).isEqualTo("UNFINISHED");
            assertThat(summary.tasksDone()).as("finished tasks journaled").isEqualTo(first.succeeded.size()).isPositive();
        } // the driver dies with its later tasks never started

        Stalling counting = new Stalling(new LocalBackend(store, LinearAlgebraProviders.configured(), 2), Integer.MAX_VALUE);
        try (Numpywren nw = Numpywren.create(journaled(), store, counting)) {
            JobResult r = nw.resume(jobId).toCompletableFuture().get(2, TimeUnit.MINUTES);
            BlockMatrix l = r.output("L");
            assertThat(residual(a, l)).as("‖A − LLᵀ‖/‖A‖").isLessThan(1e-13);
            assertThat(r.report().tasks()).as("tasks the second driver finished").isEqualTo(35 - first.succeeded.size());
            assertThat(counting.succeeded.keySet()).as("tasks run by the second driver")
                    .hasSize((int) r.report().tasks()).doesNotContainAnyElementsOf(first.succeeded.keySet());
            List<JobJournal.Event> history = nw.jobHistory(jobId);
            assertThat(history.get(0)).isInstanceOf(JobJournal.Started.class);
            assertThat(history).filteredOn(e -> e instanceof JobJournal.Resumed).hasSize(1);
            assertThat(history.get(history.size() - 1)).isInstanceOf(JobJournal.Ended.class);
            assertThat(nw.jobs()).extracting(JobJournals.JobSummary::jobId, JobJournals.JobSummary::state)
                    .contains(org.assertj.core.groups.Tuple.tuple(jobId, "SUCCEEDED"));
        }
    }

    @Test
    void resumingAJobThePostgresJournalDoesNotKnowSaysSo() {
        try (Numpywren nw = Numpywren.create(journaled(), new FileSystemBlockStore(dir.resolve("store")),
                new LocalBackend(new FileSystemBlockStore(dir.resolve("store")), LinearAlgebraProviders.configured(), 1))) {
            assertThatThrownBy(() -> nw.resume("cholesky-00000000").toCompletableFuture().get(1, TimeUnit.MINUTES))
                    .hasCauseInstanceOf(JobFailedException.class)
                    .hasMessageContaining("there is no job cholesky-00000000 in the journal")
                    .hasMessageContaining("jdbc:postgresql://localhost:" + postgres.getPort());
        }
    }

    @Test
    void aJournalThatCannotBeReachedStopsTheDriverSayingWhere() {
        Config unreachable = ConfigFactory.parseMap(Map.of(
                "numpywren.journal.kind", "jdbc",
                "numpywren.journal.url", "jdbc:postgresql://127.0.0.1:1/numpywren",
                "numpywren.journal.user", "nobody",
                "numpywren.journal.connect-timeout", "1s"));
        FileSystemBlockStore store = new FileSystemBlockStore(dir.resolve("store"));
        assertThatThrownBy(() -> Numpywren.create(unreachable, store,
                new LocalBackend(store, LinearAlgebraProviders.configured(), 1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot open the job journal (jdbc:postgresql://127.0.0.1:1/numpywren as nobody)")
                .hasMessageContaining("numpywren.journal.kind = none");
    }

    /** Once the passing tasks have all answered, waits until the journal has every one that succeeded. */
    private static JobJournals.JobSummary awaitJournaled(Numpywren nw, Stalling first) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (true) {
            List<JobJournals.JobSummary> jobs = nw.jobs();
            if (first.quiet() && !jobs.isEmpty() && jobs.get(0).tasksDone() >= first.succeeded.size()) {
                return jobs.get(0);
            }
            assertThat(System.nanoTime()).as("the journal records the finished tasks: %s", jobs).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static double residual(BlockMatrix a, BlockMatrix l) {
        Block ad = BlockMatrices.toDense(a);
        Block ld = BlockMatrices.toDense(l);
        int n = ad.rows();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += ld.get(i, k) * ld.get(j, k);
                }
                diff += (ad.get(i, j) - s) * (ad.get(i, j) - s);
                norm += ad.get(i, j) * ad.get(i, j);
            }
        }
        return Math.sqrt(diff / norm);
    }
}

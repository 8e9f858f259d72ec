package io.numpywren.scheduler;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.task.TaskExecutor;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A coordinator rebuilt from what a job's journal holds (the tasks that finished, replayed from
 * the start or on top of a checkpoint) goes on where the dead one stopped: it dispatches no
 * task the journal has as finished, re-dispatches what was in flight under the new incarnation's
 * versions, and finishes with a correct factor and nothing but it left.
 */
class JobCoordinatorRecoveryTest {
    private static final long SECOND = 1_000_000_000L;
    private final InMemoryBlockStore store = new InMemoryBlockStore();
    private final TaskExecutor executor = new TaskExecutor(store, LinearAlgebraProviders.configured(), "test-worker");
    private final BlockMatrix a = BlockMatrices.generate(BlockMatrix.builder(store, "in", "A").shape(48, 48).blockSize(8),
            MatrixGenerator.spd(5));
    private final JobPlan plan = plan();
    private long now = 3_000 * SECOND;
    /** Deletes decided by finished tasks not journaled yet: the actor holds them until they are. */
    private final List<String> held = new ArrayList<>();
    private boolean holding = true;

    private JobPlan plan() {
        BuiltinPrograms.Job job = BuiltinPrograms.cholesky(a, "jobs/r");
        return new JobPlan("r", "cholesky", "jobs/r", job.program(), job.outputs(), job.intermediates());
    }

    private JobCoordinator coordinator(JobPlan p, int epoch) {
        JobCoordinator c = new JobCoordinator(p, SchedulerSettings.defaults(), "fake",
                new BackendCapabilities(2, Duration.ofMinutes(15), Long.MAX_VALUE, true, 1L << 30), epoch);
        c.journaled(true);
        return c;
    }

    /** Carries out actions at once; returns the dispatches to run. */
    private void apply(JobCoordinator c, JobCoordinator.Actions actions, Deque<JobCoordinator.Dispatch> pending) {
        if (holding) {
            held.addAll(actions.deletes());
        } else {
            store.deleteAll(actions.deletes());
        }
        if (actions.cleanUp() != JobCoordinator.CleanUp.NONE) {
            plan.sweep(actions.cleanUp() == JobCoordinator.CleanUp.INTERMEDIATES ? c.outputVersions() : null);
        }
        pending.addAll(actions.dispatch());
    }

    /** Runs dispatches in order until {@code finished} tasks are done (or the job is); returns what ran. */
    private List<TaskSpec> runUntil(JobCoordinator c, Deque<JobCoordinator.Dispatch> pending, long finished) {
        List<TaskSpec> ran = new ArrayList<>();
        while (!pending.isEmpty() && c.progress(now).tasksDone() < finished) {
            JobCoordinator.Dispatch d = pending.poll();
            now += SECOND / 1000;
            ran.add(d.spec());
            apply(c, c.onResult(d.task(), d.spec().attempt(), executor.execute(d.spec()), now), pending);
        }
        return ran;
    }

    /** Journals the tasks finished since the last time, and then carries out the deletes they decided. */
    private List<JobJournal.FinishedTask> journaled(JobCoordinator c) {
        List<JobJournal.FinishedTask> batch = c.takeFinished().tasks();
        store.deleteAll(held);
        held.clear();
        return batch;
    }

    @ParameterizedTest(name = "from a checkpoint: {0}")
    @ValueSource(booleans = {false, true})
    void aRebuiltCoordinatorRunsOnlyWhatTheJournalDoesNotHaveAsFinished(boolean fromCheckpoint) {
        JobCoordinator dead = coordinator(plan, 0);
        Deque<JobCoordinator.Dispatch> pending = new ArrayDeque<>();
        apply(dead, dead.start(now), pending);
        runUntil(dead, pending, 12);
        List<JobJournal.FinishedTask> journal = new ArrayList<>(journaled(dead));
        JobJournal.CoordinatorState checkpoint = dead.checkpoint();
        runUntil(dead, pending, 30);
        journal.addAll(journaled(dead)); // the last batch journaled before the driver died
        runUntil(dead, pending, 33); // finished, never journaled: they run again, and what they would delete stays
        assertThat(pending).as("tasks in flight when the driver died").isNotEmpty();

        JobPlan again = PlanDocument.of(plan).toPlan(store);
        JobCoordinator rebuilt = coordinator(again, 0);
        if (fromCheckpoint) {
            rebuilt.restore(checkpoint);
            journal.subList(12, journal.size()).forEach(rebuilt::replayFinished);
        } else {
            rebuilt.seed();
            journal.forEach(rebuilt::replayFinished);
        }
        assertThat(rebuilt.progress(now).tasksDone()).isEqualTo(30);
        Deque<JobCoordinator.Dispatch> next = new ArrayDeque<>();
        holding = false;
        apply(rebuilt, rebuilt.proceed(now, 1), next);
        List<TaskSpec> ran = runUntil(rebuilt, next, Long.MAX_VALUE);

        assertThat(rebuilt.state()).isEqualTo(JobCoordinator.State.SUCCEEDED);
        assertThat(rebuilt.report().tasks()).as("tasks this driver ran").isEqualTo(plan.taskCount() - 30);
        assertThat(rebuilt.progress(now).tasksDone()).isEqualTo(plan.taskCount());
        Set<String> journaled = new HashSet<>();
        journal.forEach(f -> journaled.add(f.task()));
        assertThat(ran).extracting(TaskSpec::taskId).as("tasks run after the restart")
                .doesNotContainAnyElementsOf(journaled).hasSize((int) plan.taskCount() - 30);
        assertThat(ran).allSatisfy(spec -> assertThat(spec.outputs().get(0).key()).endsWith(".e1a1"));
        BlockMatrix l = rebuilt.versionedOutputs().get("L");
        Block ad = BlockMatrices.toDense(a);
        Block ld = BlockMatrices.toDense(l);
        double worst = 0;
        for (int i = 0; i < 48; i++) {
            for (int j = 0; j < 48; j++) {
                double s = 0;
                for (int k = 0; k < 48; k++) {
                    s += ld.get(i, k) * ld.get(j, k);
                }
                worst = Math.max(worst, Math.abs(ad.get(i, j) - s));
            }
        }
        assertThat(worst).as("max |A − LLᵀ|").isLessThan(1e-10);
        List<String> left = store.list("jobs/r/");
        assertThat(left).as("only L's header and winning blocks").allMatch(k -> k.startsWith(l.prefix()))
                .hasSize(6 * 7 / 2 + 1);
    }

    @ParameterizedTest(name = "snapshot round trip through JSON: {0}")
    @ValueSource(ints = {0, 7, 40})
    void aCheckpointSurvivesTheJournalsSerializer(int finished) throws Exception {
        JobCoordinator c = coordinator(plan, 0);
        Deque<JobCoordinator.Dispatch> pending = new ArrayDeque<>();
        apply(c, c.start(now), pending);
        runUntil(c, pending, finished);
        JobJournal.Checkpoint checkpoint = new JobJournal.Checkpoint(PlanDocument.of(plan), plan.taskCount(), 2,
                c.checkpoint(), null);
        JobJournalSerializer serializer = new JobJournalSerializer();
        Object back = serializer.fromBinary(serializer.toBinary(checkpoint), serializer.manifest(checkpoint));
        assertThat(back).isInstanceOf(JobJournal.Checkpoint.class);
        JobJournal.Checkpoint read = (JobJournal.Checkpoint) back;
        assertThat(read.state()).usingRecursiveComparison().isEqualTo(checkpoint.state());
        assertThat(read.plan().toPlan(store).program().analyser().taskCount()).isEqualTo(plan.taskCount());
    }
}

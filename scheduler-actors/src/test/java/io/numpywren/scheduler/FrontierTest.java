package io.numpywren.scheduler;

import io.numpywren.lambdapack.Task;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrontierTest {
    private static Task task(int statement, long... loopValues) {
        return new Task(statement, loopValues);
    }

    /** A parent-count function that records how often it is asked about each task. */
    private static final class Counts implements ToIntFunction<Task> {
        final Map<Task, Integer> parents = new HashMap<>();
        final Map<Task, Integer> calls = new HashMap<>();

        Counts with(Task t, int n) {
            parents.put(t, n);
            return this;
        }

        @Override
        public int applyAsInt(Task t) {
            calls.merge(t, 1, Integer::sum);
            return parents.getOrDefault(t, 0);
        }
    }

    private static List<Task> drain(Frontier f) {
        List<Task> out = new ArrayList<>();
        for (Frontier.Ready r = f.poll(); r != null; r = f.poll()) {
            out.add(r.task());
        }
        return out;
    }

    @Test
    void emptyFrontierPollsNull() {
        Frontier f = new Frontier();
        assertThat(f.poll()).isNull();
        assertThat(f.readyCount()).isZero();
        assertThat(f.pendingCount()).isZero();
    }

    @Test
    void startersAreLevelZeroAndFifo() {
        Frontier f = new Frontier();
        Task a = task(0, 1);
        Task b = task(0, 2);
        Task c = task(1, 0);
        f.addStarter(b);
        f.addStarter(c);
        f.addStarter(a);
        assertThat(f.readyCount()).isEqualTo(3);
        Frontier.Ready first = f.poll();
        assertThat(first.task()).isEqualTo(b);
        assertThat(first.level()).isZero();
        assertThat(drain(f)).containsExactly(c, a);
    }

    @Test
    void lowestLevelFirstThenFifoAmongEquals() {
        Frontier f = new Frontier();
        f.requeue(task(0, 5), 3);
        f.requeue(task(0, 1), 1);
        f.requeue(task(0, 4), 3);
        f.requeue(task(0, 2), 1);
        f.addStarter(task(0, 0));
        f.requeue(task(0, 3), 2);
        List<Frontier.Ready> order = new ArrayList<>();
        for (Frontier.Ready r = f.poll(); r != null; r = f.poll()) {
            order.add(r);
        }
        assertThat(order).extracting(r -> r.task().loopValues()[0]).containsExactly(0L, 1L, 2L, 3L, 5L, 4L);
        assertThat(order).extracting(Frontier.Ready::level).containsExactly(0, 1, 1, 2, 3, 3);
        // sequence numbers strictly increase in arrival order among equals
        assertThat(order.get(1).sequence()).isLessThan(order.get(2).sequence());
        assertThat(order.get(4).sequence()).isLessThan(order.get(5).sequence());
    }

    @Test
    void childBecomesReadyExactlyWhenItsLastParentFinishes() {
        Frontier f = new Frontier();
        Task child = task(2, 7);
        Counts counts = new Counts().with(child, 3);
        assertThat(f.parentFinished(child, 0, counts)).isFalse();
        assertThat(f.pendingCount()).isEqualTo(1);
        assertThat(f.readyCount()).isZero();
        assertThat(f.parentFinished(child, 4, counts)).isFalse();
        assertThat(f.poll()).isNull();
        assertThat(f.parentFinished(child, 2, counts)).isTrue();
        assertThat(f.pendingCount()).isZero();
        assertThat(f.readyCount()).isEqualTo(1);
        Frontier.Ready r = f.poll();
        assertThat(r.task()).isEqualTo(child);
        assertThat(r.level()).as("max parent level + 1").isEqualTo(5);
        assertThat(counts.calls).containsExactly(Map.entry(child, 1));
    }

    @Test
    void parentCountIsAskedOncePerTaskAndLazily() {
        Frontier f = new Frontier();
        Task x = task(1, 0);
        Task y = task(1, 1);
        Counts counts = new Counts().with(x, 2).with(y, 2);
        assertThat(counts.calls).isEmpty();
        f.parentFinished(x, 0, counts);
        assertThat(counts.calls).containsOnlyKeys(x);
        f.parentFinished(y, 0, counts);
        f.parentFinished(x, 1, counts);
        f.parentFinished(y, 0, counts);
        assertThat(counts.calls).containsEntry(x, 1).containsEntry(y, 1);
        Frontier.Ready first = f.poll();
        Frontier.Ready second = f.poll();
        assertThat(first.task()).isEqualTo(y);
        assertThat(first.level()).isEqualTo(1);
        assertThat(second.task()).isEqualTo(x);
        assertThat(second.level()).isEqualTo(2);
    }

    @Test
    void singleParentChildIsReadyAtOnce() {
        Frontier f = new Frontier();
        Task c = task(3);
        assertThat(f.parentFinished(c, 0, t -> 1)).isTrue();
        assertThat(f.pendingCount()).isZero();
        assertThat(f.poll().level()).isEqualTo(1);
    }

    @Test
    void pendingCountsShrinkToZero() {
        Frontier f = new Frontier();
        int n = 50;
        ToIntFunction<Task> two = t -> 2;
        for (int i = 0; i < n; i++) {
            f.parentFinished(task(0, i), 0, two);
        }
        assertThat(f.pendingCount()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(f.parentFinished(task(0, i), 0, two)).isTrue();
            assertThat(f.pendingCount()).isEqualTo(n - i - 1);
        }
        assertThat(f.pendingCount()).isZero();
        assertThat(f.readyCount()).isEqualTo(n);
        // After becoming ready the task is forgotten: a further report starts a fresh count.
        Counts counts = new Counts().with(task(0, 0), 2);
        assertThat(f.parentFinished(task(0, 0), 0, counts)).isFalse();
        assertThat(counts.calls).containsEntry(task(0, 0), 1);
    }

    @Test
    void childWithoutParentsIsAnError() {
        Frontier f = new Frontier();
        Task orphan = task(4, 1, 2);
        assertThatThrownBy(() -> f.parentFinished(orphan, 0, t -> 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(orphan.toString());
        assertThat(f.pendingCount()).isZero();
        assertThat(f.readyCount()).isZero();
    }

    @Test
    void requeueAddsAtGivenLevelBehindEquals() {
        Frontier f = new Frontier();
        Task a = task(0, 1);
        Task b = task(0, 2);
        f.requeue(a, 2);
        f.requeue(b, 2);
        f.requeue(a, 2); // the same task may come back (a retry)
        assertThat(f.readyCount()).isEqualTo(3);
        assertThat(drain(f)).containsExactly(a, b, a);
    }

    @Test
    void clearForgetsReadyAndPending() {
        Frontier f = new Frontier();
        f.addStarter(task(0));
        f.parentFinished(task(1, 1), 0, t -> 2);
        assertThat(f.readyCount()).isEqualTo(1);
        assertThat(f.pendingCount()).isEqualTo(1);
        f.clear();
        assertThat(f.readyCount()).isZero();
        assertThat(f.pendingCount()).isZero();
        assertThat(f.poll()).isNull();
        // usable after clearing; the pending count is asked again
        Counts counts = new Counts().with(task(1, 1), 1);
        assertThat(f.parentFinished(task(1, 1), 0, counts)).isTrue();
        assertThat(counts.calls).containsEntry(task(1, 1), 1);
    }

    @Test
    void aReadyTaskFoundFinishedByAJournalsReplayIsNeverPolledNorCounted() {
        Frontier f = new Frontier();
        Task a = task(0, 1);
        Task b = task(0, 2);
        f.addStarter(a);
        f.addStarter(b);
        f.finishedWhileReady(a);
        assertThat(f.readyCount()).isEqualTo(1);
        List<Task> seen = new ArrayList<>();
        f.forEachReady((t, level) -> seen.add(t));
        assertThat(seen).containsExactly(b);
        assertThat(f.poll().task()).isEqualTo(b);
        assertThat(f.poll()).isNull();
        assertThat(f.readyCount()).isZero();
    }

    @Test
    void aRestoredPendingCountBecomesReadyWhenItsLastParentsFinish() {
        Frontier f = new Frontier();
        Task child = task(3, 1, 1);
        f.restorePending(child, 2, 4);
        assertThat(f.parentFinished(child, 1, t -> 99)).as("one of two parents left").isFalse();
        Map<Task, Integer> pending = new HashMap<>();
        f.forEachPending((t, remaining, level) -> pending.put(t, remaining));
        assertThat(pending).containsExactly(Map.entry(child, 1));
        assertThat(f.parentFinished(child, 1, t -> 99)).isTrue();
        Frontier.Ready ready = f.poll();
        assertThat(ready.task()).isEqualTo(child);
        assertThat(ready.level()).as("the restored level, deeper than its parents'").isEqualTo(4);
    }

    @Test
    void aPendingCountBelowOneIsRefused() {
        assertThatThrownBy(() -> new Frontier().restorePending(task(1, 0), 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restored with 0 parents left");
    }
}

package io.numpywren.scheduler;

import io.numpywren.lambdapack.Task;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ToIntFunction;

/**
 * The tasks that may run now, and the pending-parent counts of those that will soon. A task's
 * level is one more than its deepest parent's, so polling the lowest level first runs the
 * earliest algorithm step first: the critical path. Counts are created lazily, when a task's
 * first parent finishes, and dropped when it becomes ready, so memory is O(frontier).
 */
public final class Frontier {
    /** A task ready to run, with its level and arrival order (FIFO among equals). */
    public record Ready(Task task, int level, long sequence) {
    }

    private static final class Pending {
        int remaining;
        int level;
    }

    private final PriorityQueue<Ready> ready = new PriorityQueue<>(
            Comparator.comparingInt(Ready::level).thenComparingLong(Ready::sequence));
    private final Map<Task, Pending> pending = new HashMap<>();
    /** Ready tasks a journal's replay found finished: skipped when polled (removing from the queue is O(n)). */
    private final java.util.Set<Task> finished = new java.util.HashSet<>();
    private long sequence;

    /** A task with no parents. */
    public void addStarter(Task task) {
        ready.add(new Ready(task, 0, sequence++));
    }

    /** Puts a task back, e.g. after a retry's backoff. */
    public void requeue(Task task, int level) {
        ready.add(new Ready(task, level, sequence++));
    }

    /**
     * Records that one parent of {@code child} (at {@code parentLevel}) finished; the first time
     * the child is seen its parent count comes from {@code parentCount}. Returns whether the
     * child became ready.
     */
    public boolean parentFinished(Task child, int parentLevel, ToIntFunction<Task> parentCount) {
        Pending p = pending.get(child);
        if (p == null) {
            p = new Pending();
            p.remaining = parentCount.applyAsInt(child);
            if (p.remaining < 1) {
                throw new IllegalStateException("task " + child + " was reported as a child but has no parents");
            }
            pending.put(child, p);
        }
        p.level = Math.max(p.level, parentLevel + 1);
        if (--p.remaining == 0) {
            pending.remove(child);
            ready.add(new Ready(child, p.level, sequence++));
            return true;
        }
        return false;
    }

    /** The next task to run, or null when none is ready. */
    public Ready poll() {
        Ready r = ready.poll();
        while (r != null && !finished.isEmpty() && finished.remove(r.task())) {
            r = ready.poll();
        }
        return r;
    }

    public int readyCount() {
        return ready.size() - finished.size();
    }

    /**
     * A ready task that finished (replaying a journal: it was ready, in flight, when the driver
     * died): it is never polled.
     */
    public void finishedWhileReady(Task task) {
        finished.add(task);
    }

    /** Restores a pending-parent count from a checkpoint. */
    public void restorePending(Task task, int remaining, int level) {
        if (remaining < 1) {
            throw new IllegalArgumentException("task " + task + " restored with " + remaining + " parents left");
        }
        Pending p = new Pending();
        p.remaining = remaining;
        p.level = level;
        pending.put(task, p);
    }

    /** Each ready task with its level (in no particular order), but those found finished. */
    public void forEachReady(java.util.function.ObjIntConsumer<Task> action) {
        for (Ready r : ready) {
            if (!finished.contains(r.task())) {
                action.accept(r.task(), r.level());
            }
        }
    }

    /** Each pending task with its parents left and level. */
    public void forEachPending(PendingConsumer action) {
        pending.forEach((t, p) -> action.accept(t, p.remaining, p.level));
    }

    /** Receives a pending task's count. */
    @FunctionalInterface
    public interface PendingConsumer {
        void accept(Task task, int remaining, int level);
    }

    public int pendingCount() {
        return pending.size();
    }

    /** Forgets everything (on cancellation or failure). */
    public void clear() {
        ready.clear();
        pending.clear();
        finished.clear();
    }
}

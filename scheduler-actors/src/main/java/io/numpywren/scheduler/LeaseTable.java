package io.numpywren.scheduler;

import io.numpywren.lambdapack.Task;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Tasks in flight. Each dispatch is a lease: a task, an attempt number and a deadline. A task
 * may hold several leases (an expired one whose worker might still answer, a speculative
 * copy); the first valid result from any of them finishes the task, and results for tasks no
 * longer in the table are duplicates. Memory is O(tasks in flight).
 */
public final class LeaseTable {
    /** One dispatch of a task. */
    public record Lease(Task task, int attempt, int level, long dispatchedNanos, long deadlineNanos,
                        boolean speculative) {
    }

    /** What a result means for its task. */
    public enum Outcome {
        /** The first valid result: the task is done. */
        FIRST,
        /** The task was already done (or abandoned): count and ignore. */
        DUPLICATE
    }

    private static final class Entry {
        final List<Lease> live = new ArrayList<>();
        final List<Lease> expired = new ArrayList<>();
        int attempts;
    }

    private final Map<Task, Entry> tasks = new HashMap<>();
    private int live;

    /** Grants the next attempt of {@code task}; the first attempt is 1. */
    public Lease grant(Task task, int level, long now, long durationNanos, boolean speculative) {
        Entry e = tasks.computeIfAbsent(task, t -> new Entry());
        Lease lease = new Lease(task, ++e.attempts, level, now, now + durationNanos, speculative);
        e.live.add(lease);
        live++;
        return lease;
    }

    /**
     * A valid result arrived for {@code task}: FIRST if the task was in flight, else DUPLICATE.
     * On FIRST, every lease of the task, the winner's included, is added to {@code others}, so
     * the caller can read the winner's dispatch time and cancel the rest.
     */
    public Outcome succeeded(Task task, List<Lease> others) {
        Entry e = tasks.remove(task);
        if (e == null) {
            return Outcome.DUPLICATE;
        }
        live -= e.live.size();
        others.addAll(e.live);
        others.addAll(e.expired);
        return Outcome.FIRST;
    }

    /**
     * An attempt failed: removes and returns its lease (null when the task is already done or
     * the attempt unknown). Use {@link #hasOutstanding} to see whether another attempt is out.
     */
    public Lease failed(Task task, int attempt) {
        Entry e = tasks.get(task);
        if (e == null) {
            return null;
        }
        Lease removed = removeAttempt(e.live, attempt);
        if (removed != null) {
            live--;
            return removed;
        }
        return removeAttempt(e.expired, attempt);
    }

    /** Whether some attempt of the task, live or expired, may still answer. */
    public boolean hasOutstanding(Task task) {
        Entry e = tasks.get(task);
        return e != null && (!e.live.isEmpty() || !e.expired.isEmpty());
    }

    /** Number of live (unexpired) leases of the task. */
    public int liveCount(Task task) {
        Entry e = tasks.get(task);
        return e == null ? 0 : e.live.size();
    }

    private static Lease removeAttempt(List<Lease> leases, int attempt) {
        for (Iterator<Lease> it = leases.iterator(); it.hasNext(); ) {
            Lease l = it.next();
            if (l.attempt() == attempt) {
                it.remove();
                return l;
            }
        }
        return null;
    }

    /**
     * Leases whose deadline has passed; they move to the expired list (their worker may still
     * answer, and that answer is still accepted) and no longer count as in flight.
     */
    public List<Lease> expire(long now) {
        List<Lease> expired = new ArrayList<>();
        for (Entry e : tasks.values()) {
            for (Iterator<Lease> it = e.live.iterator(); it.hasNext(); ) {
                Lease l = it.next();
                if (l.deadlineNanos() <= now) {
                    it.remove();
                    e.expired.add(l);
                    expired.add(l);
                    live--;
                }
            }
        }
        return expired;
    }

    /** The live leases, for straggler checks. */
    public List<Lease> liveLeases() {
        List<Lease> all = new ArrayList<>(live);
        for (Entry e : tasks.values()) {
            all.addAll(e.live);
        }
        return all;
    }

    /** Attempts granted so far for a task still in the table (0 when absent). */
    public int attempts(Task task) {
        Entry e = tasks.get(task);
        return e == null ? 0 : e.attempts;
    }

    /** Forgets a task that will not run again (its job failed or was cancelled). */
    public List<Lease> abandon(Task task) {
        Entry e = tasks.remove(task);
        if (e == null) {
            return List.of();
        }
        live -= e.live.size();
        List<Lease> all = new ArrayList<>(e.live);
        all.addAll(e.expired);
        return all;
    }

    /** Every lease still outstanding, live or expired. */
    public List<Lease> outstanding() {
        List<Lease> all = new ArrayList<>();
        for (Entry e : tasks.values()) {
            all.addAll(e.live);
            all.addAll(e.expired);
        }
        return all;
    }

    /** Number of live leases: the tasks occupying workers. */
    public int inFlight() {
        return live;
    }

    /** Number of tasks in the table (live, expired, or waiting for a retry). */
    public int size() {
        return tasks.size();
    }
}

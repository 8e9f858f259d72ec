package io.numpywren.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * How fast a task DAG can possibly run on a number of workers when each task takes a given
 * time: its total work over the workers and its critical path are both lower bounds for every
 * schedule, whatever the scheduler or store; a longest-path-first list schedule shows what a
 * good scheduler with no overhead at all would get.
 */
final class DagBound {
    private final double[] seconds;
    private final List<int[]> children;

    /**
     * @param seconds  each task's time
     * @param children each task's children, by index; the graph must be acyclic
     */
    DagBound(double[] seconds, List<int[]> children) {
        if (seconds.length != children.size()) {
            throw new IllegalArgumentException(seconds.length + " task times but " + children.size() + " child lists");
        }
        for (int t = 0; t < seconds.length; t++) {
            if (!(seconds[t] >= 0)) {
                throw new IllegalArgumentException("task " + t + " takes " + seconds[t] + " s");
            }
            for (int c : children.get(t)) {
                if (c < 0 || c >= seconds.length) {
                    throw new IllegalArgumentException("task " + t + " has child " + c + ", outside 0.." + (seconds.length - 1));
                }
            }
        }
        this.seconds = seconds.clone();
        this.children = List.copyOf(children);
    }

    int tasks() {
        return seconds.length;
    }

    /** The sum of all task times over the workers. */
    double workBound(int workers) {
        return Arrays.stream(seconds).sum() / workers;
    }

    /** The longest chain of dependent tasks. */
    double criticalPath() {
        return Arrays.stream(remainingPath()).max().orElse(0);
    }

    /** The larger of the two lower bounds. */
    double lowerBound(int workers) {
        return Math.max(workBound(workers), criticalPath());
    }

    /**
     * The makespan of a list schedule that always starts the ready task with the longest path
     * still ahead of it: never below {@link #lowerBound}, at most twice it (Graham).
     */
    double listSchedule(int workers) {
        double[] remaining = remainingPath();
        int[] waitingOn = parentCounts();
        PriorityQueue<Integer> ready = new PriorityQueue<>((a, b) -> Double.compare(remaining[b], remaining[a]));
        for (int t = 0; t < seconds.length; t++) {
            if (waitingOn[t] == 0) {
                ready.add(t);
            }
        }
        // (finish time, task) of the running tasks, earliest first.
        PriorityQueue<double[]> running = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        double now = 0;
        int done = 0;
        while (done < seconds.length) {
            while (!ready.isEmpty() && running.size() < workers) {
                int t = ready.poll();
                running.add(new double[] {now + seconds[t], t});
            }
            if (running.isEmpty()) {
                throw new IllegalArgumentException("the task graph has a cycle: " + (seconds.length - done)
                        + " tasks never become ready");
            }
            double[] finished = running.poll();
            now = finished[0];
            done++;
            for (int c : children.get((int) finished[1])) {
                if (--waitingOn[c] == 0) {
                    ready.add(c);
                }
            }
        }
        return now;
    }

    /** For each task, its own time plus the longest path below it. */
    private double[] remainingPath() {
        int n = seconds.length;
        int[] order = topologicalOrder();
        double[] remaining = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            int t = order[i];
            double below = 0;
            for (int c : children.get(t)) {
                below = Math.max(below, remaining[c]);
            }
            remaining[t] = seconds[t] + below;
        }
        return remaining;
    }

    private int[] topologicalOrder() {
        int n = seconds.length;
        int[] waitingOn = parentCounts();
        List<Integer> order = new ArrayList<>(n);
        for (int t = 0; t < n; t++) {
            if (waitingOn[t] == 0) {
                order.add(t);
            }
        }
        for (int i = 0; i < order.size(); i++) {
            for (int c : children.get(order.get(i))) {
                if (--waitingOn[c] == 0) {
                    order.add(c);
                }
            }
        }
        if (order.size() != n) {
            throw new IllegalArgumentException("the task graph has a cycle: " + (n - order.size())
                    + " tasks never become ready");
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    private int[] parentCounts() {
        int[] parents = new int[seconds.length];
        for (int[] cs : children) {
            for (int c : cs) {
                parents[c]++;
            }
        }
        return parents;
    }
}

package io.numpywren.scheduler;

import com.typesafe.config.Config;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.BlockStore;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * What the facade refuses before it allocates anything: a matrix or job whose blocks the store
 * cannot hold, and a job with more tasks than {@code numpywren.limits.max-tasks}. Each refusal is
 * one line with the figures and a way out, so that absurd sizes end in seconds, not in an
 * {@link OutOfMemoryError} or hours of silent work.
 *
 * @param maxTasks        the most tasks a job may have
 * @param countingBudget  loop iterations the task count may walk before the job counts as too large
 */
public record JobLimits(long maxTasks, long countingBudget) {
    public JobLimits {
        if (maxTasks < 1 || countingBudget < 1) {
            throw new IllegalArgumentException("numpywren.limits: max-tasks and counting-budget must be positive, got "
                    + maxTasks + " and " + countingBudget);
        }
    }

    public static JobLimits from(Config config) {
        return new JobLimits(config.getLong("numpywren.limits.max-tasks"),
                config.getLong("numpywren.limits.counting-budget"));
    }

    /** Bytes of a float64 matrix of {@code rows} x {@code cols}, or {@link Long#MAX_VALUE} when that overflows. */
    public static long float64Bytes(long rows, long cols) {
        try {
            return Math.multiplyExact(Math.multiplyExact(rows, cols), 8L);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Refuses {@code what} needing {@code bytes} when {@code store} says it has less room. A store in
     * memory counts garbage as used, so a refusal is confirmed after one collection.
     */
    public static void checkFits(String what, long bytes, BlockStore store) {
        OptionalLong room = store.capacityBytes();
        if (room.isEmpty() || bytes <= room.getAsLong()) {
            return;
        }
        System.gc();
        room = store.capacityBytes();
        if (room.isPresent() && bytes > room.getAsLong()) {
            throw new IllegalArgumentException(what + " needs " + size(bytes) + "; the store (" + store.description()
                    + ") has " + size(room.getAsLong()) + " free: use a store with room for it (numpywren.store = "
                    + "file:DIR or s3://bucket/prefix; --store on the command line), or a smaller matrix");
        }
    }

    /** Refuses a job with more tasks than {@link #maxTasks}, counted without walking more than the budget. */
    public void checkTasks(JobPlan plan) {
        OptionalLong tasks = plan.taskCountUpTo(maxTasks, countingBudget);
        if (tasks.isEmpty() || tasks.getAsLong() > maxTasks) {
            throw new IllegalArgumentException(plan.algorithm() + " with " + plan.program().parameters() + " has "
                    + (tasks.isEmpty() ? "too many tasks to count" : "more than "
                    + String.format(Locale.ROOT, "%,d", maxTasks) + " tasks (numpywren.limits.max-tasks)")
                    + ": use a larger block (fewer, larger tasks), or raise the limit");
        }
    }

    /**
     * Refuses a job whose largest task holds more blocks than one worker's memory, before it
     * starts: each of its attempts would run out of memory on every worker alike.
     */
    public static void checkTaskMemory(JobPlan plan, String backend, long workerMemoryBytes) {
        io.numpywren.lambdapack.BoundProgram.TaskMemory largest = plan.program().largestTask();
        if (largest.bytes() > workerMemoryBytes) {
            throw new IllegalArgumentException(plan.algorithm() + "'s largest task (" + largest.statement() + ") holds "
                    + size(largest.bytes()) + " of blocks, more than the " + size(workerMemoryBytes) + " each " + backend
                    + " worker has: use a smaller block, or workers with more memory");
        }
    }

    /** Bytes a job's outputs take once written: each at its full size, which also covers its intermediates' peak. */
    public static long outputBytes(JobPlan plan) {
        long total = 0;
        for (BlockMatrix m : plan.outputs().values()) {
            long bytes = float64Bytes(m.rows(), m.cols());
            total = bytes > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + bytes;
        }
        return total;
    }

    static String size(long bytes) {
        if (bytes == Long.MAX_VALUE) {
            return "more than 8 EB";
        }
        String[] units = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

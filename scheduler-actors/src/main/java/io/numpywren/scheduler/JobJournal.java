package io.numpywren.scheduler;

import io.numpywren.lambdapack.BlockId;
import io.numpywren.lambdapack.Task;

import java.util.List;
import java.util.Map;

/**
 * What a job's journal records, so that a driver that died can be resumed: the plan once, each
 * resumption, the tasks that finished (in batches, in the order they finished), and the end.
 * A {@link Checkpoint} (a snapshot) holds the coordinator's durable state, so that recovery
 * replays only the events after it. Everything here is plain data, written as JSON with an
 * explicit type (see {@link JobJournalSerializer}); nothing uses Java serialization.
 */
public final class JobJournal {
    private JobJournal() {
    }

    /** The prefix of every job's persistence id: {@code numpywren-job|<jobId>}. */
    public static final String ENTITY = "numpywren-job";

    /** Anything the journal or the snapshot store holds: bound to the JSON serializer. */
    public sealed interface Record permits Event, Checkpoint {
    }

    /** A journal event. */
    public sealed interface Event extends Record permits Started, Resumed, TasksFinished, Ended {
    }

    /** The job was submitted: everything needed to rebuild its plan without reading the store, and its task count. */
    public record Started(PlanDocument plan, long tasks, long atMillis) implements Event {
    }

    /** A driver resumed the job; its attempts write blocks under version {@code e<epoch>a<attempt>}. */
    public record Resumed(int epoch, long atMillis) implements Event {
    }

    /** Tasks that finished, in the order they finished: a parent always before its children. */
    public record TasksFinished(List<FinishedTask> tasks, int deletedIntermediates) implements Event {
    }

    /** The job ended: {@code outcome} is SUCCEEDED or FAILED (a cancellation is a failure naming it). */
    public record Ended(String outcome, String message, long atMillis) implements Event {
        public boolean succeeded() {
            return "SUCCEEDED".equals(outcome);
        }
    }

    /**
     * One finished task: its id ({@code statement:loop values}), the version its winning attempt
     * wrote under, its level (for the critical-path order of its children), the blocks it wrote
     * with their checksums, and what it cost.
     */
    public record FinishedTask(String task, String version, int level, List<Block> outputs, long flops, long bytesRead,
                               long bytesWritten, double busySeconds, String kernelProvider) {
    }

    /** A block a task wrote: its key (with the version) and checksum. */
    public record Block(String key, int checksum) {
    }

    /**
     * The coordinator's durable state at a point of the journal: the tasks that may run (ready,
     * in flight or waiting for a retry: all ready again after a restart), the pending-parent counts
     * of those that will, the reads left of live intermediates, the version of every live block,
     * and how many tasks finished. O(frontier + live blocks), never O(DAG). What each task cost is
     * in the events; a resumed driver's report counts its own work.
     */
    public record CoordinatorState(List<ReadyTask> ready, List<PendingTask> pending, Map<String, Integer> readsLeft,
                                   Map<String, String> winners, long done, long liveIntermediates,
                                   long peakIntermediates) {
    }

    public record ReadyTask(String task, int level) {
    }

    public record PendingTask(String task, int remaining, int level) {
    }

    /** A snapshot: the plan, the incarnation, the coordinator's state and, once over, how the job ended. */
    public record Checkpoint(PlanDocument plan, long tasks, int epoch, CoordinatorState state, Ended ended)
            implements Record {
    }

    /** A task as text: {@code 5:1,3,2} (statement 5, loop values 1, 3, 2), as on the wire. */
    static String taskText(Task task) {
        return JobPlan.taskId(task);
    }

    static Task parseTask(String text) {
        int colon = text.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("malformed task '" + text + "' in the journal (expected statement:values)");
        }
        int statement = Integer.parseInt(text.substring(0, colon));
        String rest = text.substring(colon + 1);
        if (rest.isEmpty()) {
            return new Task(statement, new long[0]);
        }
        String[] parts = rest.split(",");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Long.parseLong(parts[i]);
        }
        return new Task(statement, values);
    }

    /** A block of a program matrix as text: {@code S:1,3,2}. */
    static String blockText(BlockId block) {
        StringBuilder b = new StringBuilder(block.matrix()).append(':');
        long[] index = block.index();
        for (int i = 0; i < index.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(index[i]);
        }
        return b.toString();
    }

    static BlockId parseBlock(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("malformed block '" + text + "' in the journal (expected matrix:index)");
        }
        String[] parts = text.substring(colon + 1).split(",");
        long[] index = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            index[i] = Long.parseLong(parts[i]);
        }
        return new BlockId(text.substring(0, colon), index);
    }
}

package io.numpywren.scheduler;

import io.numpywren.kernel.KernelArgs;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BlockId;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.task.TaskSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A job as the scheduler sees it: a bound program, the job's identity and namespace, and
 * which of its matrices are inputs (never touched), outputs (kept) and intermediates
 * (deleted as soon as their last reader is done). Turns tasks into wire-format specs.
 */
public final class JobPlan {
    private final String jobId;
    private final String algorithm;
    private final String namespace;
    private final BoundProgram program;
    private final Map<String, BlockMatrix> outputs;
    private final List<BlockMatrix> intermediates;
    private final Set<String> intermediateNames = new LinkedHashSet<>();
    private final List<String> inputNamespaces;
    /** The task count once known exactly, else -1. */
    private long taskCount = -1;

    public JobPlan(String jobId, String algorithm, String namespace, BoundProgram program,
                   Map<String, BlockMatrix> outputs, List<BlockMatrix> intermediates) {
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.program = Objects.requireNonNull(program, "program");
        this.outputs = Map.copyOf(outputs);
        this.intermediates = List.copyOf(intermediates);
        Analyser analyser = program.analyser();
        Set<String> inputs = new LinkedHashSet<>();
        for (String name : program.program().matrixParameters()) {
            BlockMatrix m = program.matrix(name);
            if (analyser.isWritten(name)) {
                if (!m.namespace().equals(namespace)) {
                    throw new IllegalArgumentException("matrix " + name + " is written by the job but lives in namespace '"
                            + m.namespace() + "', outside the job's namespace '" + namespace + "'");
                }
                if (intermediates.contains(m)) {
                    intermediateNames.add(name);
                }
            } else {
                inputs.add(m.namespace());
            }
        }
        inputs.remove(namespace);
        this.inputNamespaces = List.copyOf(inputs);
    }

    public String jobId() {
        return jobId;
    }

    public String algorithm() {
        return algorithm;
    }

    public String namespace() {
        return namespace;
    }

    public BoundProgram program() {
        return program;
    }

    /**
     * The job's task count, as {@link io.numpywren.lambdapack.Analyser#taskCountUpTo}: exact when at most
     * {@code maxTasks}. An exact count is kept, so the check before submission and the coordinator's
     * start count the DAG once between them.
     */
    public synchronized java.util.OptionalLong taskCountUpTo(long maxTasks, long maxLoopIterations) {
        if (taskCount >= 0) {
            return java.util.OptionalLong.of(Math.min(taskCount, maxTasks + 1));
        }
        java.util.OptionalLong count = program.analyser().taskCountUpTo(maxTasks, maxLoopIterations);
        if (count.isPresent() && count.getAsLong() <= maxTasks) {
            taskCount = count.getAsLong();
        }
        return count;
    }

    /** The job's task count (counted once; see {@link #taskCountUpTo}). */
    public synchronized long taskCount() {
        if (taskCount < 0) {
            taskCount = program.analyser().taskCount();
        }
        return taskCount;
    }

    public Map<String, BlockMatrix> outputs() {
        return outputs;
    }

    public List<BlockMatrix> intermediates() {
        return intermediates;
    }

    /** Whether blocks of program matrix {@code name} are deleted once read by all their readers. */
    public boolean isIntermediate(String name) {
        return intermediateNames.contains(name);
    }

    /** The store key of a block. */
    public String key(BlockId block) {
        return program.matrix(block.matrix()).key(block.intIndex());
    }

    /** A task's identity on the wire: its statement and loop values, e.g. {@code 5:1,3,2}. */
    public static String taskId(Task task) {
        StringBuilder b = new StringBuilder().append(task.statement()).append(':');
        long[] values = task.loopValues();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(values[i]);
        }
        return b.toString();
    }

    /** The wire-format spec of one attempt of {@code task}. */
    public TaskSpec spec(Task task, int attempt) {
        Analyser analyser = program.analyser();
        List<String> inputs = new ArrayList<>();
        for (BlockId b : analyser.inputBlocks(task)) {
            inputs.add(key(b));
        }
        List<TaskSpec.OutputBlock> outs = new ArrayList<>();
        for (BlockId b : analyser.outputBlocks(task)) {
            outs.add(new TaskSpec.OutputBlock(key(b), program.matrix(b.matrix()).dtype().numpyName()));
        }
        KernelArgs args = program.arguments(task);
        Map<String, TaskSpec.TypedValue> typed = new LinkedHashMap<>();
        args.asMap().forEach((name, value) -> typed.put(name, TaskSpec.TypedValue.of(value)));
        return new TaskSpec(TaskSpec.VERSION, jobId, taskId(task), attempt, namespace, inputNamespaces,
                program.kernel(task).name(), typed, inputs, outs);
    }

    /**
     * The task's flops as its kernel declares them, for the shapes its blocks have on the grid
     * (matrices with free-form blocks count their nominal block shape): the basis of a first
     * lease before the kernel has any history.
     */
    public long estimatedFlops(Task task) {
        List<int[]> shapes = new ArrayList<>();
        for (BlockId b : program.analyser().inputBlocks(task)) {
            BlockMatrix m = program.matrix(b.matrix());
            int[] index = b.intIndex();
            if (m.exactBlockShapes()) {
                shapes.add(new int[] {m.blockRowsAt(index[index.length - 2]), m.blockColsAt(index[index.length - 1])});
            } else {
                shapes.add(new int[] {m.blockRows(), m.blockCols()});
            }
        }
        try {
            return program.kernel(task).flops(shapes, program.arguments(task));
        } catch (RuntimeException e) {
            return 0; // shapes that only the real blocks would make consistent: no estimate
        }
    }

    /** Deletes every intermediate matrix (and, when the job did not succeed, the outputs). */
    public void cleanUp(boolean keepOutputs) {
        for (BlockMatrix m : intermediates) {
            m.free();
        }
        if (!keepOutputs) {
            for (BlockMatrix m : outputs.values()) {
                m.free();
            }
        }
    }
}

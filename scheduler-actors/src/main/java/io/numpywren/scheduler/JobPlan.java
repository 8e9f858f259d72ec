package io.numpywren.scheduler;

import io.numpywren.kernel.KernelArgs;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BlockId;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.BlockVersions;
import io.numpywren.storage.BlockStore;
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
    /** Program matrices the job writes (outputs and intermediates): their blocks are attempt-scoped. */
    private final Set<String> writtenNames = new LinkedHashSet<>();
    private final List<String> inputNamespaces;
    private final Map<String, String> labels;
    /** The task count once known exactly, else -1. */
    private long taskCount = -1;

    public JobPlan(String jobId, String algorithm, String namespace, BoundProgram program,
                   Map<String, BlockMatrix> outputs, List<BlockMatrix> intermediates) {
        this(jobId, algorithm, namespace, program, outputs, intermediates, Map.of());
    }

    /**
     * With {@code labels}: free-form facts about the job that its journal keeps (who started it,
     * which inputs a command made for it), shown by {@code numpywren jobs}.
     */
    public JobPlan(String jobId, String algorithm, String namespace, BoundProgram program,
                   Map<String, BlockMatrix> outputs, List<BlockMatrix> intermediates, Map<String, String> labels) {
        this.labels = Map.copyOf(labels);
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
                writtenNames.add(name);
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

    public Map<String, String> labels() {
        return labels;
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

    /** Whether program matrix {@code name} is written by the job (an output or an intermediate). */
    public boolean isWritten(String name) {
        return writtenNames.contains(name);
    }

    /**
     * The store key of a block without an attempt's version: for an input, the key it is read at;
     * for a block the job writes, what each attempt appends its version to.
     */
    public String key(BlockId block) {
        return program.matrix(block.matrix()).unversionedKey(block.intIndex());
    }

    /** The versions of the first attempts of the first incarnations, made once: nearly every task's is one of them. */
    private static final String[][] COMMON_VERSIONS = new String[8][4];

    static {
        for (int e = 0; e < COMMON_VERSIONS.length; e++) {
            for (int a = 1; a <= COMMON_VERSIONS[e].length; a++) {
                COMMON_VERSIONS[e][a - 1] = "e" + e + "a" + a;
            }
        }
    }

    /** The version an attempt of a driver incarnation ({@code epoch}, 0 for the first) writes its blocks under. */
    public static String version(int epoch, int attempt) {
        if (epoch >= 0 && epoch < COMMON_VERSIONS.length && attempt >= 1 && attempt <= COMMON_VERSIONS[epoch].length) {
            return COMMON_VERSIONS[epoch][attempt - 1];
        }
        return "e" + epoch + "a" + attempt;
    }

    /** A block's key at a version. */
    public static String versionedKey(String key, String version) {
        return key + "." + version;
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

    /**
     * The wire-format spec of one attempt of {@code task}, writing its blocks at version
     * {@code version}; a block the job wrote earlier is read at the version {@code winner} gives
     * for its unversioned key (the attempt that won), an input block as its matrix's handle reads it.
     */
    public TaskSpec spec(Task task, int attempt, String version, java.util.function.Function<String, String> winner) {
        Analyser analyser = program.analyser();
        List<String> inputs = new ArrayList<>();
        for (BlockId b : analyser.inputBlocks(task)) {
            if (isWritten(b.matrix())) {
                String key = key(b);
                String won = winner.apply(key);
                inputs.add(won == null ? key : versionedKey(key, won));
            } else {
                inputs.add(program.matrix(b.matrix()).key(b.intIndex()));
            }
        }
        List<TaskSpec.OutputBlock> outs = new ArrayList<>();
        for (BlockId b : analyser.outputBlocks(task)) {
            outs.add(new TaskSpec.OutputBlock(versionedKey(key(b), version), program.matrix(b.matrix()).dtype().numpyName()));
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

    /**
     * Sweeps every key the job's attempts may have written: each intermediate matrix goes, and
     * each output keeps only its header and the blocks {@code outputVersions} names (the winners),
     * whose versions it records in the header. Without versions (a failed job) the outputs go too.
     */
    public void sweep(Map<String, BlockVersions> outputVersions) {
        for (BlockMatrix m : intermediates) {
            m.free();
        }
        for (Map.Entry<String, BlockMatrix> e : outputs.entrySet()) {
            BlockVersions versions = outputVersions == null ? null : outputVersions.get(e.getKey());
            if (versions == null) {
                e.getValue().free();
                continue;
            }
            BlockMatrix versioned = e.getValue().withVersions(versions);
            BlockStore store = versioned.store();
            List<String> losers = new ArrayList<>();
            for (String key : store.list(versioned.prefix())) {
                if (key.indexOf('/', versioned.prefix().length()) < 0 && !key.equals(versioned.headerKey())
                        && !isWinner(versioned, key)) {
                    losers.add(key);
                }
            }
            store.deleteAll(losers);
            store.deleteUnfinishedWrites(versioned.prefix());
            versioned.publishVersions(versions);
        }
    }

    /** Whether {@code key} (directly under the matrix's prefix) is the version of its block the handle reads. */
    private static boolean isWinner(BlockMatrix versioned, String key) {
        String name = key.substring(versioned.prefix().length());
        int dot = name.indexOf('.');
        return dot > 0 && name.substring(dot + 1).equals(versioned.versions().of(name.substring(0, dot)));
    }
}

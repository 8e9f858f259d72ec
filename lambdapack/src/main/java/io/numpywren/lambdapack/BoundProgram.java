package io.numpywren.lambdapack;

import io.numpywren.kernel.Kernel;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.matrix.BlockMatrix;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A program with every parameter bound: it has a definite, finite task DAG. */
public final class BoundProgram {
    private final Program program;
    private final long[] parameterValues;
    private final List<BlockMatrix> matrices;
    private final Analyser analyser;
    private final Map<String, Integer> matrixIndices = new java.util.HashMap<>();

    BoundProgram(Program program, long[] parameterValues, List<BlockMatrix> matrices) {
        this.program = program;
        this.parameterValues = parameterValues.clone();
        this.matrices = List.copyOf(matrices);
        for (int i = 0; i < program.matrixParameters().size(); i++) {
            matrixIndices.put(program.matrixParameters().get(i), i);
        }
        this.analyser = new Analyser(this);
    }

    public Program program() {
        return program;
    }

    /** The dependency analyser: children, parents, starters, counts, without building the DAG. */
    public Analyser analyser() {
        return analyser;
    }

    /** The matrix bound to parameter {@code name}. */
    public BlockMatrix matrix(String name) {
        Integer i = matrixIndices.get(name);
        if (i == null) {
            throw new IllegalArgumentException("program " + program.name() + " has no matrix parameter '" + name + "'");
        }
        return matrices.get(i);
    }

    BlockMatrix matrix(int index) {
        return matrices.get(index);
    }

    public Map<String, Long> parameters() {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < parameterValues.length; i++) {
            map.put(program.intParameters().get(i), parameterValues[i]);
        }
        return map;
    }

    /** A fresh environment: parameter values, then room for every loop variable. */
    long[] newEnvironment() {
        long[] env = new long[parameterValues.length + program.maxDepth()];
        System.arraycopy(parameterValues, 0, env, 0, parameterValues.length);
        return env;
    }

    /** The environment in which {@code task}'s expressions evaluate. */
    long[] environment(Task task) {
        Statement s = statement(task);
        if (task.depth() != s.depth()) {
            throw new IllegalArgumentException("task " + task + " has " + task.depth() + " loop values but statement "
                    + s.describe() + " is inside " + s.depth() + " loops");
        }
        long[] env = newEnvironment();
        for (int d = 0; d < task.depth(); d++) {
            env[parameterValues.length + d] = task.loopValue(d);
        }
        return env;
    }

    Statement statement(Task task) {
        if (task.statement() < 0 || task.statement() >= program.statements().size()) {
            throw new IllegalArgumentException("task " + task + " names statement " + task.statement() + " but program "
                    + program.name() + " has " + program.statements().size());
        }
        return program.statements().get(task.statement());
    }

    /** The statement whose tasks hold the most block memory, and how much: see {@link #largestTask()}. */
    public record TaskMemory(long bytes, String statement) {
    }

    /**
     * The most memory one task holds in decoded blocks (float64, each matrix's nominal block shape,
     * each distinct block once), over every statement, without enumerating tasks. A sliced
     * reference ({@code M[i, 0:k]}) counts one block, so for such statements this is a lower
     * bound; the planners size those to the worker's memory themselves.
     */
    public TaskMemory largestTask() {
        TaskMemory largest = new TaskMemory(0, "");
        for (Statement s : program.statements()) {
            long bytes = 0;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Statement.Reference r : s.inputs) {
                if (seen.add(r.text())) {
                    bytes = saturatingAdd(bytes, blockBytes(matrices.get(r.matrix())));
                }
            }
            for (Statement.Reference r : s.outputs) {
                bytes = saturatingAdd(bytes, blockBytes(matrices.get(r.matrix())));
            }
            if (bytes > largest.bytes()) {
                largest = new TaskMemory(bytes, s.text);
            }
        }
        return largest;
    }

    private static long blockBytes(BlockMatrix m) {
        return (long) m.blockRows() * m.blockCols() * Double.BYTES;
    }

    private static long saturatingAdd(long a, long b) {
        return b > Long.MAX_VALUE - a ? Long.MAX_VALUE : a + b;
    }

    public Kernel kernel(Task task) {
        return statement(task).kernel;
    }

    /** The scalar arguments of the task's kernel call, evaluated. */
    public KernelArgs arguments(Task task) {
        Statement s = statement(task);
        if (s.argumentNames.isEmpty()) {
            return KernelArgs.NONE;
        }
        long[] env = environment(task);
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < s.argumentNames.size(); i++) {
            args.put(s.argumentNames.get(i), s.argumentValues.get(i).evalObject(env));
        }
        return KernelArgs.of(args);
    }

    /** A readable name for a task: {@code O[2,1] = trsm(O[1,1], S[1,2,1]) at i=1, j=2}. */
    public String describe(Task task) {
        Statement s = statement(task);
        StringBuilder b = new StringBuilder(s.text);
        for (int d = 0; d < s.depth(); d++) {
            b.append(d == 0 ? " at " : ", ").append(s.loops.get(d).variable()).append('=').append(task.loopValue(d));
        }
        return b.toString();
    }
}

package io.numpywren.lambdapack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The implicit DAG of a bound program. Every question is answered by solving index equations
 * exactly over the integers under the loop bounds and steps, never by building the DAG:
 * children are the tasks whose input references solve to one of this task's output blocks,
 * parents the (single-assignment) writers of its input blocks.
 *
 * <p>Thread-safe: queries share no mutable state.
 */
public final class Analyser {
    private final BoundProgram program;
    private final List<Statement> statements;
    private final List<TaskSolver> enumerators = new ArrayList<>();
    /** Per matrix parameter: solvers for each reference that reads it / writes it. */
    private final Map<Integer, List<TaskSolver>> readers = new HashMap<>();
    private final Map<Integer, List<TaskSolver>> writers = new HashMap<>();
    private final Map<String, Integer> matrixIndices = new HashMap<>();

    Analyser(BoundProgram program) {
        this.program = program;
        this.statements = program.program().statements();
        int parameters = program.program().intParameters().size();
        List<String> names = program.program().matrixParameters();
        for (int i = 0; i < names.size(); i++) {
            matrixIndices.put(names.get(i), i);
        }
        for (Statement s : statements) {
            enumerators.add(new TaskSolver(s, null, parameters));
            for (Statement.Reference r : s.inputs) {
                readers.computeIfAbsent(r.matrix(), m -> new ArrayList<>()).add(new TaskSolver(s, r, parameters));
            }
            for (Statement.Reference r : s.outputs) {
                writers.computeIfAbsent(r.matrix(), m -> new ArrayList<>()).add(new TaskSolver(s, r, parameters));
            }
        }
    }

    private BlockId block(Statement.Reference r, long[] env) {
        long[] index = new long[r.indices().size()];
        for (int i = 0; i < index.length; i++) {
            index[i] = r.indices().get(i).evalInt(env);
        }
        return new BlockId(r.matrixName(), index);
    }

    private int matrixIndex(String matrix) {
        Integer m = matrixIndices.get(matrix);
        if (m == null) {
            throw new IllegalArgumentException("program " + program.program().name() + " has no matrix '"
                    + matrix + "'");
        }
        return m;
    }

    /** The blocks {@code r} stands for: one, or one per value of its slice variable, in order. */
    private void forEachBlock(Statement.Reference r, long[] env, Consumer<BlockId> sink) {
        if (!r.sliced()) {
            sink.accept(block(r, env));
            return;
        }
        long start = r.slice().start().evalInt(env);
        long stop = r.slice().stop().evalInt(env);
        for (long v = start; v < stop; v++) {
            env[r.slice().slot()] = v;
            sink.accept(block(r, env));
        }
    }

    private boolean anyWritten(Statement.Reference r, long[] env) {
        if (!r.sliced()) {
            return writer(block(r, env)).isPresent();
        }
        boolean[] written = new boolean[1];
        // Enumerates a copy: the caller's environment is mid-walk and the slice slot is its own.
        forEachBlock(r, env.clone(), b -> written[0] |= !written[0] && writer(b).isPresent());
        return written[0];
    }

    private List<BlockId> blocks(List<Statement.Reference> refs, Task task) {
        long[] env = program.environment(task);
        List<BlockId> out = new ArrayList<>(refs.size());
        for (Statement.Reference r : refs) {
            forEachBlock(r, env, out::add);
        }
        return out;
    }

    /**
     * The blocks the task reads, in argument order (a block read twice appears twice); a sliced
     * reference contributes its blocks in slice order.
     */
    public List<BlockId> inputBlocks(Task task) {
        return blocks(program.statement(task).inputs, task);
    }

    /** The blocks the task writes, in output order. */
    public List<BlockId> outputBlocks(Task task) {
        return blocks(program.statement(task).outputs, task);
    }

    /** Every task that reads a block this task writes (each once). */
    public List<Task> children(Task task) {
        return readersOf(outputBlocks(task));
    }

    /** Every task that reads one of {@code blocks} (each once): the children of their writer. */
    public List<Task> readersOf(List<BlockId> blocks) {
        List<Task> readers = new ArrayList<>();
        for (BlockId b : blocks) {
            forEachReader(b, t -> addOnce(readers, t));
        }
        return readers;
    }

    /** Every task that writes a block this task reads (each once); blocks of input matrices have none. */
    public List<Task> parents(Task task) {
        List<Task> parents = new ArrayList<>();
        for (BlockId b : inputBlocks(task)) {
            writer(b).ifPresent(t -> addOnce(parents, t));
        }
        return parents;
    }

    /** How many tasks must finish before this one may run. */
    public int parentCount(Task task) {
        return parents(task).size();
    }

    private static void addOnce(List<Task> tasks, Task t) {
        // Lists are short (a handful of parents, or children found once each per reference), so a
        // linear scan beats hashing here.
        if (!tasks.contains(t)) {
            tasks.add(t);
        }
    }

    /** The task that writes {@code block}, if any (at most one, by single assignment). */
    public Optional<Task> writer(BlockId block) {
        List<TaskSolver> solvers = writers.get(matrixIndex(block.matrix()));
        if (solvers == null) {
            return Optional.empty();
        }
        Task[] found = new Task[1];
        long[] target = block.index();
        for (TaskSolver solver : solvers) {
            solver.solve(program.newEnvironment(), target, loopValues -> {
                Task t = new Task(solver.statement.id, loopValues);
                if (found[0] != null && !found[0].equals(t)) {
                    throw new IllegalStateException("block " + block + " is written twice, by "
                            + program.describe(found[0]) + " and by " + program.describe(t)
                            + " (programs must be in single-assignment form)");
                }
                found[0] = t;
            });
        }
        return Optional.ofNullable(found[0]);
    }

    /** Calls {@code sink} once for each task that reads {@code block}. */
    public void forEachReader(BlockId block, Consumer<Task> sink) {
        List<TaskSolver> solvers = readers.get(matrixIndex(block.matrix()));
        if (solvers == null) {
            return;
        }
        long[] target = block.index();
        List<Task> seen = solvers.size() > 1 ? new ArrayList<>() : null;
        for (TaskSolver solver : solvers) {
            solver.solve(program.newEnvironment(), target, loopValues -> {
                Task t = new Task(solver.statement.id, loopValues);
                // A task that reads the same block through two arguments is one reader.
                if (seen == null) {
                    sink.accept(t);
                } else if (!seen.contains(t)) {
                    seen.add(t);
                    sink.accept(t);
                }
            });
        }
    }

    /** How many tasks read {@code block}: when that many have finished, an intermediate may go. */
    public int readerCount(BlockId block) {
        int[] count = new int[1];
        forEachReader(block, t -> count[0]++);
        return count[0];
    }

    /** Whether any statement writes blocks of {@code matrix}: if not, it is an input. */
    public boolean isWritten(String matrix) {
        return writers.containsKey(matrixIndex(matrix));
    }

    /** Every task of the program, statement by statement, in loop order. */
    public void forEachTask(Consumer<Task> sink) {
        for (TaskSolver e : enumerators) {
            e.solve(program.newEnvironment(), null, loopValues -> sink.accept(new Task(e.statement.id, loopValues)));
        }
    }

    /** Number of tasks, counted without creating them. */
    public long taskCount() {
        long total = 0;
        for (TaskSolver e : enumerators) {
            total = Math.addExact(total, e.count(program.newEnvironment()));
        }
        return total;
    }

    /**
     * The task count when it is at most {@code maxTasks}; {@code maxTasks + 1} when there are more (the
     * count stops there); empty when the count would walk more than {@code maxLoopIterations} loop
     * iterations (innermost loops without guards are counted in closed form, so Cholesky with N blocks
     * a side walks about N²/2). Entry points count this way so that absurd parameters are refused in
     * seconds instead of counted for hours.
     */
    public java.util.OptionalLong taskCountUpTo(long maxTasks, long maxLoopIterations) {
        long[] budget = {maxLoopIterations, maxTasks};
        long total = 0;
        try {
            for (TaskSolver e : enumerators) {
                total += e.count(program.newEnvironment(), budget);
            }
        } catch (TaskSolver.CountTooLarge stopped) {
            return stopped.tooManyTasks ? java.util.OptionalLong.of(maxTasks + 1) : java.util.OptionalLong.empty();
        }
        return java.util.OptionalLong.of(total);
    }

    /**
     * Tasks with no parents, found statement by statement as the iterator advances. Subtrees of
     * the loop nest in which an input block is already known to have a writer are skipped, so
     * finding Cholesky's one starter costs O(N²) solves, not O(N³).
     */
    public Iterator<Task> starters() {
        return new Iterator<>() {
            private int next;
            private Iterator<Task> current = List.<Task>of().iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && next < enumerators.size()) {
                    List<Task> found = new ArrayList<>();
                    TaskSolver e = enumerators.get(next++);
                    e.solveUnwritten(program.newEnvironment(), Analyser.this::anyWritten,
                            loopValues -> found.add(new Task(e.statement.id, loopValues)));
                    current = found.iterator();
                }
                return current.hasNext();
            }

            @Override
            public Task next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /** All starters as a list (for tests and small programs). */
    public List<Task> starterList() {
        List<Task> list = new ArrayList<>();
        starters().forEachRemaining(list::add);
        return list;
    }
}

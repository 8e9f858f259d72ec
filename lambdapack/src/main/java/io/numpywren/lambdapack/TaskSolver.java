package io.numpywren.lambdapack;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the tasks of one statement whose reference (if any) equals a target block, by walking
 * the statement's loop nest outer to inner. A loop variable that some index equation
 * determines, affinely, once the outer variables are fixed is solved for directly (with exact
 * division, bounds and step checks); only variables that no equation determines are
 * enumerated. So the work is proportional to the number of answers, not to the loop nest.
 */
final class TaskSolver {
    /** Receives the loop values of each solution (a fresh array each time). */
    @FunctionalInterface
    interface Sink {
        void accept(long[] loopValues);
    }

    /** Decides whether an input block read by a task is written by some task. */
    @FunctionalInterface
    interface WrittenTest {
        boolean written(Statement.Reference reference, long[] env);
    }

    final Statement statement;
    private final Statement.Reference reference;
    private final int parameters;
    /** Loops walked: the statement's, then the reference's slice when it has one. */
    private final int depth;
    /** The statement's loops only: a task is identified by their values. */
    private final int taskDepth;
    private final List<Statement.Loop> loops;
    private final ScalarExpr[] equations;
    /** Per depth: the equation that determines that loop variable, or −1. */
    private final int[] solveWith;
    /** Per level (0 = before any loop, d + 1 = after fixing depth d): equations fully determined there. */
    private final int[][] equationsAt;
    private final Statement.Guard[][] guardsAt;
    private final Statement.Reference[][] inputsAt;

    TaskSolver(Statement statement, Statement.Reference reference, int parameters) {
        this.statement = statement;
        this.reference = reference;
        this.parameters = parameters;
        this.taskDepth = statement.depth();
        if (reference != null && reference.sliced()) {
            List<Statement.Loop> withSlice = new ArrayList<>(statement.loops);
            withSlice.add(reference.slice());
            this.loops = List.copyOf(withSlice);
        } else {
            this.loops = statement.loops;
        }
        this.depth = loops.size();
        this.equations = reference == null ? new ScalarExpr[0] : reference.indices().toArray(new ScalarExpr[0]);
        this.solveWith = new int[depth];
        java.util.Arrays.fill(solveWith, -1);
        List<List<Integer>> eqs = levels();
        for (int e = 0; e < equations.length; e++) {
            int level = level(equations[e].maxSlot());
            eqs.get(level).add(e);
            int d = level - 1;
            if (d >= 0 && solveWith[d] < 0 && equations[e].affineIn(parameters + d)) {
                solveWith[d] = e;
            }
        }
        this.equationsAt = toArrays(eqs);
        List<List<Statement.Guard>> guards = levels();
        for (Statement.Guard g : statement.guards) {
            guards.get(level(g.condition().maxSlot())).add(g);
        }
        this.guardsAt = new Statement.Guard[depth + 1][];
        for (int l = 0; l <= depth; l++) {
            guardsAt[l] = guards.get(l).toArray(new Statement.Guard[0]);
        }
        List<List<Statement.Reference>> inputs = levels();
        for (Statement.Reference r : statement.inputs) {
            int max = -1;
            for (ScalarExpr index : r.indices()) {
                if (!r.sliced() || index.maxSlot() != r.slice().slot()) {
                    max = Math.max(max, index.maxSlot());
                }
            }
            if (r.sliced()) {
                // Known once the slice's bounds are: the test then looks at every block of the slice.
                max = Math.max(max, Math.max(r.slice().start().maxSlot(), r.slice().stop().maxSlot()));
            }
            inputs.get(level(max)).add(r);
        }
        this.inputsAt = new Statement.Reference[depth + 1][];
        for (int l = 0; l <= depth; l++) {
            inputsAt[l] = inputs.get(l).toArray(new Statement.Reference[0]);
        }
    }

    private <T> List<List<T>> levels() {
        List<List<T>> levels = new ArrayList<>();
        for (int l = 0; l <= depth; l++) {
            levels.add(new ArrayList<>());
        }
        return levels;
    }

    private static int[][] toArrays(List<List<Integer>> lists) {
        int[][] arrays = new int[lists.size()][];
        for (int i = 0; i < arrays.length; i++) {
            arrays[i] = lists.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return arrays;
    }

    /** The level at which an expression whose highest slot is {@code slot} becomes known. */
    private int level(int slot) {
        return slot < parameters ? 0 : slot - parameters + 1;
    }

    /** Every task whose reference equals {@code target} (all tasks when target is null). */
    void solve(long[] env, long[] target, Sink sink) {
        if (target != null && target.length != equations.length) {
            return; // a block of another rank cannot match
        }
        if (holds(0, env, target, null)) {
            descend(0, env, target, null, sink);
        }
    }

    /** Tasks none of whose input blocks is written by any task: the starters of this statement. */
    void solveUnwritten(long[] env, WrittenTest written, Sink sink) {
        if (holds(0, env, null, written)) {
            descend(0, env, null, written, sink);
        }
    }

    /** Number of tasks of the statement. */
    long count(long[] env) {
        return count(env, null);
    }

    /**
     * The number of tasks; with {@code budget}, each loop iteration walked takes one from
     * {@code budget[0]} and each task counted one from {@code budget[1]}, and either running out stops
     * the count with a {@link CountTooLarge}.
     */
    long count(long[] env, long[] budget) {
        if (!holds(0, env, null, null)) {
            return 0;
        }
        return countFrom(0, env, budget);
    }

    /** A count stopped because walking its loops would have taken longer than its budget allowed. */
    static final class CountTooLarge extends RuntimeException {
        /** True when the tasks ran out (the count is known to exceed it), false when the iterations did. */
        final boolean tooManyTasks;

        CountTooLarge(boolean tooManyTasks) {
            super(null, null, false, false);
            this.tooManyTasks = tooManyTasks;
        }
    }

    private static long spend(long[] budget, long tasks) {
        if (budget != null) {
            budget[1] -= tasks;
            if (budget[1] < 0) {
                throw new CountTooLarge(true);
            }
        }
        return tasks;
    }

    private long countFrom(int d, long[] env, long[] budget) {
        if (d == depth) {
            return spend(budget, 1);
        }
        Statement.Loop loop = loops.get(d);
        long lo = loop.start().evalInt(env);
        long hi = loop.stop().evalInt(env);
        long step = step(loop, env);
        if (d == depth - 1 && guardsAt[d + 1].length == 0) {
            if (hi <= lo) {
                return 0;
            }
            long span = exact(Math::subtractExact, hi, lo, "the length of loop '" + loop.variable() + "'");
            return spend(budget, span / step + (span % step == 0 ? 0 : 1));
        }
        long total = 0;
        int slot = parameters + d;
        for (long v = lo; v < hi; v = next(v, step)) {
            if (budget != null && --budget[0] < 0) {
                throw new CountTooLarge(false);
            }
            env[slot] = v;
            if (holds(d + 1, env, null, null)) {
                total = exact(Math::addExact, total, countFrom(d + 1, env, budget), "the task count");
            }
        }
        return total;
    }

    /** The loop value after {@code v}, or {@link Long#MAX_VALUE} (past every stop) where {@code v + step} would wrap. */
    private static long next(long v, long step) {
        long next = v + step;
        return next < v ? Long.MAX_VALUE : next;
    }

    /** {@code op(x, y)} when it fits in a long, else an error that names the statement and what overflowed. */
    private long exact(java.util.function.LongBinaryOperator op, long x, long y, String what) {
        try {
            return op.applyAsLong(x, y);
        } catch (ArithmeticException overflow) {
            throw new LambdaPackException(statement.position.source(), statement.position, "integer overflow: "
                    + what + " in '" + statement.text + "' does not fit in 64 bits");
        }
    }

    private long step(Statement.Loop loop, long[] env) {
        long step = loop.step().evalInt(env);
        if (step <= 0) {
            throw new LambdaPackException(statement.position.source(), statement.position, "range step of loop '"
                    + loop.variable() + "' must be positive, got " + step + " (in '" + statement.text + "')");
        }
        return step;
    }

    private void descend(int d, long[] env, long[] target, WrittenTest written, Sink sink) {
        if (d == depth) {
            long[] values = new long[taskDepth];
            System.arraycopy(env, parameters, values, 0, taskDepth);
            sink.accept(values);
            return;
        }
        Statement.Loop loop = loops.get(d);
        long lo = loop.start().evalInt(env);
        long hi = loop.stop().evalInt(env);
        if (hi <= lo) {
            return;
        }
        long step = step(loop, env);
        int slot = parameters + d;
        int e = target == null ? -1 : solveWith[d];
        if (e >= 0) {
            ScalarExpr eq = equations[e];
            env[slot] = 0;
            long at0 = eq.evalInt(env);
            env[slot] = 1;
            long coefficient = exact(Math::subtractExact, eq.evalInt(env), at0, "an index's coefficient");
            if (coefficient != 0) {
                long numerator = exact(Math::subtractExact, target[e], at0, "an index equation");
                if (numerator % coefficient != 0) {
                    return;
                }
                long v = numerator / coefficient;
                if (v < lo || v >= hi || exact(Math::subtractExact, v, lo, "a loop offset") % step != 0) {
                    return;
                }
                env[slot] = v;
                if (holds(d + 1, env, target, written)) {
                    descend(d + 1, env, target, written, sink);
                }
                return;
            }
        }
        for (long v = lo; v < hi; v = next(v, step)) {
            env[slot] = v;
            if (holds(d + 1, env, target, written)) {
                descend(d + 1, env, target, written, sink);
            }
        }
    }

    /** Checks the equations, guards and (for starters) inputs that become known at {@code level}. */
    private boolean holds(int level, long[] env, long[] target, WrittenTest written) {
        if (target != null) {
            for (int e : equationsAt[level]) {
                if (equations[e].evalInt(env) != target[e]) {
                    return false;
                }
            }
        }
        for (Statement.Guard g : guardsAt[level]) {
            if (g.condition().evalBool(env) != g.expected()) {
                return false;
            }
        }
        if (written != null) {
            for (Statement.Reference r : inputsAt[level]) {
                if (written.written(r, env)) {
                    return false;
                }
            }
        }
        return true;
    }
}

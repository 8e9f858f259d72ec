package io.numpywren.lambdapack;

import io.numpywren.kernel.Kernel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The test oracle for the analyser, and a check for users' own programs: enumerates every
 * task of a bound program, builds the explicit DAG, and checks that
 * <ul>
 *   <li>each block is written exactly once (single assignment) and lies inside its matrix,</li>
 *   <li>every read of a block of a matrix the program writes has a writer,</li>
 *   <li>every task passes its kernel a number of input blocks it takes (slices vary it),</li>
 *   <li>there is no cycle,</li>
 *   <li>the analyser's children, parents, parent counts, starters, task count and reader
 *       counts equal the explicit DAG's for every task and block.</li>
 * </ul>
 * Memory is O(DAG): use it on small parameters.
 */
public final class Validator {
    /** What a successful validation found. */
    public record Report(long tasks, long edges, long blocksWritten, long inputBlocksRead, int criticalPathLength) {
    }

    /** The largest DAG validation builds: its memory is O(DAG). */
    public static final long MAX_TASKS = 500_000;
    private static final long COUNTING_BUDGET = 10_000_000;

    private Validator() {
    }

    /** Validates, throwing {@link LambdaPackException} with every problem found (up to 20). */
    public static Report validate(BoundProgram program) {
        String source = program.program().source();
        Analyser analyser = program.analyser();
        java.util.OptionalLong count = analyser.taskCountUpTo(MAX_TASKS, COUNTING_BUDGET);
        if (count.isEmpty() || count.getAsLong() > MAX_TASKS) {
            throw new LambdaPackException(source, "validation builds the whole DAG in memory, and with "
                    + program.parameters() + " it has " + (count.isEmpty() ? "too many tasks to count"
                    : "more than " + MAX_TASKS + " tasks")
                    + ": validate with smaller parameters (the analyser's answers do not depend on size)");
        }
        List<Task> tasks = new ArrayList<>();
        analyser.forEachTask(tasks::add);
        List<String> problems = new ArrayList<>();

        Map<BlockId, Task> writerOf = new HashMap<>();
        for (Task t : tasks) {
            for (BlockId b : analyser.outputBlocks(t)) {
                checkInGrid(program, b, t, problems);
                Task previous = writerOf.putIfAbsent(b, t);
                if (previous != null) {
                    problems.add("block " + b + " is written twice: by " + program.describe(previous) + " and by "
                            + program.describe(t));
                }
            }
        }
        Map<Task, Set<Task>> children = new HashMap<>();
        Map<Task, Set<Task>> parents = new HashMap<>();
        Map<BlockId, Set<Task>> readersOf = new HashMap<>();
        Set<BlockId> inputsRead = new HashSet<>();
        long edges = 0;
        for (Task t : tasks) {
            children.computeIfAbsent(t, k -> new LinkedHashSet<>());
            Set<Task> ps = parents.computeIfAbsent(t, k -> new LinkedHashSet<>());
            List<BlockId> inputs = analyser.inputBlocks(t);
            Kernel kernel = program.statement(t).kernel;
            if (!kernel.takesInputs(inputs.size())) {
                // Only possible through a slice, whose length the checker cannot know.
                problems.add(program.describe(t) + " passes " + inputs.size() + " input blocks to " + kernel.name()
                        + ", which takes " + kernel.inputCounts());
            }
            for (BlockId b : inputs) {
                checkInGrid(program, b, t, problems);
                readersOf.computeIfAbsent(b, k -> new HashSet<>()).add(t);
                Task w = writerOf.get(b);
                if (w != null) {
                    if (ps.add(w)) {
                        children.computeIfAbsent(w, k -> new LinkedHashSet<>()).add(t);
                        edges++;
                    }
                } else if (analyser.isWritten(b.matrix())) {
                    problems.add(program.describe(t) + " reads " + b + ", which no task writes");
                } else {
                    inputsRead.add(b);
                }
            }
        }
        int criticalPath = topologicalDepth(tasks, parents, children, program, problems);
        if (problems.isEmpty()) {
            compareWithAnalyser(program, tasks, children, parents, readersOf, problems);
        }
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 20);
            throw new LambdaPackException(source, "program " + program.program().name() + " with " + program.parameters()
                    + " is invalid (" + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  "
                    + String.join("\n  ", problems.subList(0, shown)) + (shown < problems.size() ? "\n  ..." : ""));
        }
        return new Report(tasks.size(), edges, writerOf.size(), inputsRead.size(), criticalPath);
    }

    private static void checkInGrid(BoundProgram program, BlockId b, Task t, List<String> problems) {
        int[] grid = program.matrix(b.matrix()).gridShape();
        long[] index = b.index();
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= grid[d]) {
                problems.add(program.describe(t) + " uses block " + b + " outside the grid " + java.util.Arrays.toString(grid)
                        + " of " + program.matrix(b.matrix()).name());
                return;
            }
        }
    }

    /** Kahn's algorithm: the longest chain of tasks, or a problem naming a task on a cycle. */
    private static int topologicalDepth(List<Task> tasks, Map<Task, Set<Task>> parents, Map<Task, Set<Task>> children,
                                        BoundProgram program, List<String> problems) {
        Map<Task, Integer> remaining = new HashMap<>();
        Map<Task, Integer> level = new HashMap<>();
        ArrayDeque<Task> ready = new ArrayDeque<>();
        for (Task t : tasks) {
            remaining.put(t, parents.get(t).size());
            if (parents.get(t).isEmpty()) {
                ready.add(t);
                level.put(t, 1);
            }
        }
        int done = 0;
        int deepest = 0;
        while (!ready.isEmpty()) {
            Task t = ready.poll();
            done++;
            int l = level.get(t);
            deepest = Math.max(deepest, l);
            for (Task c : children.get(t)) {
                level.merge(c, l + 1, Math::max);
                if (remaining.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        if (done < tasks.size()) {
            for (Task t : tasks) {
                if (remaining.get(t) > 0) {
                    problems.add("dependency cycle through " + program.describe(t));
                    break;
                }
            }
        }
        return deepest;
    }

    private static void compareWithAnalyser(BoundProgram program, List<Task> tasks, Map<Task, Set<Task>> children,
                                            Map<Task, Set<Task>> parents, Map<BlockId, Set<Task>> readersOf,
                                            List<String> problems) {
        Analyser analyser = program.analyser();
        if (analyser.taskCount() != tasks.size()) {
            problems.add("analyser counts " + analyser.taskCount() + " tasks, enumeration finds " + tasks.size());
        }
        Set<Task> expectedStarters = new HashSet<>();
        for (Task t : tasks) {
            if (parents.get(t).isEmpty()) {
                expectedStarters.add(t);
            }
            Set<Task> c = new HashSet<>(analyser.children(t));
            if (!c.equals(children.get(t))) {
                problems.add("analyser's children of " + program.describe(t) + " are " + c + ", the DAG's are "
                        + children.get(t));
            }
            Set<Task> p = new HashSet<>(analyser.parents(t));
            if (!p.equals(parents.get(t)) || analyser.parentCount(t) != parents.get(t).size()) {
                problems.add("analyser's parents of " + program.describe(t) + " are " + p + ", the DAG's are "
                        + parents.get(t));
            }
        }
        Set<Task> starters = new HashSet<>(analyser.starterList());
        if (!starters.equals(expectedStarters)) {
            problems.add("analyser's starters are " + starters + ", the DAG's are " + expectedStarters);
        }
        for (Map.Entry<BlockId, Set<Task>> e : readersOf.entrySet()) {
            int count = analyser.readerCount(e.getKey());
            if (count != e.getValue().size()) {
                problems.add("analyser counts " + count + " readers of " + e.getKey() + ", the DAG has "
                        + e.getValue().size());
            }
        }
    }
}

package io.numpywren.lambdapack;

import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.KernelException;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.matrix.Block;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a bound program in-process, one task at a time, in a topological order found with the
 * analyser (pending-parent counts created lazily, as the scheduler will). It proves an
 * algorithm correct before any scheduler or backend is involved.
 */
public final class ReferenceExecutor {
    /** What a run did. */
    public record Report(long tasks, long flops, double seconds) {
        public double gflops() {
            return seconds > 0 ? flops / seconds / 1e9 : 0;
        }
    }

    private ReferenceExecutor() {
    }

    public static Report run(BoundProgram program, LinearAlgebra la) {
        long start = System.nanoTime();
        Analyser analyser = program.analyser();
        ArrayDeque<Task> ready = new ArrayDeque<>();
        analyser.starters().forEachRemaining(ready::add);
        Map<Task, Integer> pending = new HashMap<>();
        long tasks = 0;
        long flops = 0;
        while (!ready.isEmpty()) {
            Task task = ready.poll();
            flops += execute(program, analyser, task, la);
            tasks++;
            for (Task child : analyser.children(task)) {
                int left = pending.computeIfAbsent(child, analyser::parentCount) - 1;
                if (left == 0) {
                    pending.remove(child);
                    ready.add(child);
                } else {
                    pending.put(child, left);
                }
            }
        }
        long expected = analyser.taskCount();
        if (tasks != expected) {
            throw new IllegalStateException("program " + program.program().name() + " ran " + tasks + " of " + expected
                    + " tasks: " + pending.size() + " never became ready (a dependency cycle or a read of a block"
                    + " no task writes)");
        }
        return new Report(tasks, flops, (System.nanoTime() - start) / 1e9);
    }

    /** Reads the task's inputs, runs its kernel, writes its outputs; returns its flops. */
    static long execute(BoundProgram program, Analyser analyser, Task task, LinearAlgebra la) {
        List<BlockId> inputs = analyser.inputBlocks(task);
        List<Block> blocks = new ArrayList<>(inputs.size());
        for (BlockId b : inputs) {
            blocks.add(program.matrix(b.matrix()).read(b.intIndex()));
        }
        KernelArgs args = program.arguments(task);
        List<Block> outputs;
        try {
            outputs = program.kernel(task).run(la, blocks, args);
        } catch (KernelException e) {
            throw new KernelException(e.kernel(), "task " + program.describe(task) + " reading " + inputs + " failed: "
                    + e.getMessage());
        }
        List<BlockId> outputIds = analyser.outputBlocks(task);
        for (int i = 0; i < outputs.size(); i++) {
            BlockId b = outputIds.get(i);
            program.matrix(b.matrix()).write(outputs.get(i), b.intIndex());
        }
        List<int[]> shapes = new ArrayList<>(blocks.size());
        for (Block b : blocks) {
            shapes.add(new int[] {b.rows(), b.cols()});
        }
        return program.kernel(task).flops(shapes, args);
    }
}

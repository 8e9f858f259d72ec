package io.numpywren.bench;

import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.lambdapack.Task;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.storage.InMemoryBlockStore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The least time any schedule of the tiled Cholesky job can take on this machine: the job's own
 * task DAG (from the LAmbdaPACK program, as the scheduler runs it), each task costed at the
 * single BLAS call its kernel makes, timed with one call per worker running at once on warm
 * arrays, as the local workers run them. No copying, checksums, store, scheduling or fresh
 * memory is counted, so no implementation above these BLAS calls can beat the bound.
 */
final class CholeskyKernelBound {
    /** The BLAS call each Cholesky kernel makes, in the order the report lists them. */
    enum Call { DPOTRF, DTRSM, DSYRK, DGEMM }

    private static final int WARM_UP_ROUNDS = 2;
    private static final int TIMED_ROUNDS = 9;

    private CholeskyKernelBound() {
    }

    static Map<String, Object> measure(int n, int block, int workers) throws Exception {
        BlockMatrix a = BlockMatrix.builder(new InMemoryBlockStore("kernel-bound"), "bound", "A").shape(n, n)
                .blockShape(block, block).create();
        BoundProgram program = BuiltinPrograms.cholesky(a, "bound").program();
        Analyser analyser = program.analyser();
        List<Task> tasks = new ArrayList<>();
        analyser.forEachTask(tasks::add);
        Map<Task, Integer> index = new HashMap<>();
        for (Task t : tasks) {
            index.put(t, index.size());
        }
        LinearAlgebra la = LinearAlgebraProviders.configured();
        Map<Call, Double> seconds = new LinkedHashMap<>();
        Map<Call, Integer> counts = new LinkedHashMap<>();
        double[] taskSeconds = new double[tasks.size()];
        List<int[]> children = new ArrayList<>(tasks.size());
        for (Task t : tasks) {
            Call call = callOf(program, analyser, t);
            Double s = seconds.get(call);
            if (s == null) {
                s = time(la, call, block, workers);
                seconds.put(call, s);
            }
            counts.merge(call, 1, Integer::sum);
            taskSeconds[index.get(t)] = s;
            children.add(analyser.children(t).stream().mapToInt(index::get).toArray());
        }
        DagBound dag = new DagBound(taskSeconds, children);
        Map<String, Object> calls = new LinkedHashMap<>();
        for (Call c : Call.values()) {
            if (counts.containsKey(c)) {
                calls.put(c.name().toLowerCase(), Map.of("tasks", counts.get(c), "seconds", seconds.get(c)));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("provider", la.name());
        out.put("tasks", tasks.size());
        out.put("workers", workers);
        out.put("calls", calls);
        out.put("workSeconds", dag.workBound(workers));
        out.put("criticalPathSeconds", dag.criticalPath());
        out.put("lowerBoundSeconds", dag.lowerBound(workers));
        out.put("listScheduleSeconds", dag.listSchedule(workers));
        return out;
    }

    private static Call callOf(BoundProgram program, Analyser analyser, Task t) {
        String kernel = program.kernel(t).name();
        return switch (kernel) {
            case "chol" -> Call.DPOTRF;
            case "trsm" -> Call.DTRSM;
            // syrk(S, X) is the symmetric DSYRK; syrk(S, X, Y) a DGEMM.
            case "syrk" -> analyser.inputBlocks(t).size() == 2 ? Call.DSYRK : Call.DGEMM;
            default -> throw new IllegalStateException("the Cholesky bound costs chol, trsm and syrk tasks, but "
                    + program.describe(t) + " calls " + kernel);
        };
    }

    /**
     * The median time of one call on block-sized operands, with {@code workers} threads each
     * making it at once, every round starting together; operands are refilled untimed.
     */
    private static double time(LinearAlgebra la, Call call, int b, int workers) throws Exception {
        double[] spd = MatrixGenerator.spd(42).block(0, 0, b, b, b, b).data();
        double[] factor = spd.clone();
        if (la.dpotrfLower(b, factor, b) != 0) {
            throw new IllegalStateException("the generated SPD block is not positive definite");
        }
        for (int j = 1; j < b; j++) {
            Arrays.fill(factor, j * b, j * b + j, 0.0);
        }
        double[] x = MatrixGenerator.random(43).block(0, 0, b, b, b, b).data();
        double[] y = MatrixGenerator.random(44).block(0, 0, b, b, b, b).data();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            CyclicBarrier start = new CyclicBarrier(workers);
            List<Future<double[]>> perWorker = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                perWorker.add(pool.submit(() -> {
                    double[] out = new double[b * b];
                    double[] samples = new double[TIMED_ROUNDS];
                    for (int round = -WARM_UP_ROUNDS; round < TIMED_ROUNDS; round++) {
                        System.arraycopy(call == Call.DTRSM ? x : spd, 0, out, 0, out.length);
                        start.await();
                        long begin = System.nanoTime();
                        switch (call) {
                            case DPOTRF -> la.dpotrfLower(b, out, b);
                            case DTRSM -> la.dtrsm(false, true, true, b, b, factor, b, out, b);
                            case DSYRK -> la.dsyrkLower(b, b, -1.0, x, 0, b, 1.0, out, 0, b);
                            case DGEMM -> la.dgemm(false, true, b, b, b, -1.0, x, 0, b, y, 0, b, 1.0, out, 0, b);
                        }
                        long elapsed = System.nanoTime() - begin;
                        if (round >= 0) {
                            samples[round] = elapsed / 1e9;
                        }
                    }
                    return samples;
                }));
            }
            List<Double> all = new ArrayList<>();
            for (Future<double[]> f : perWorker) {
                for (double s : f.get()) {
                    all.add(s);
                }
            }
            all.sort(null);
            return all.get(all.size() / 2);
        } finally {
            pool.shutdownNow();
        }
    }
}

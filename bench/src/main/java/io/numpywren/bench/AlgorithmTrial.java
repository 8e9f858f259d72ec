package io.numpywren.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.MatrixGenerator;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.JobResult;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.Numpywren;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One measurement of one algorithm, run in a JVM of its own so that it gets the BLAS threading
 * it is compared under (OpenBLAS reads its thread count once, at load): either one monolithic
 * LAPACK call on the whole matrix, or numpywren on the local backend. Prints one JSON line.
 *
 * <pre>java ... AlgorithmTrial monolithic|numpywren ALGORITHM N BLOCK [full|small]</pre>
 * or {@code AlgorithmTrial dgemm-rate - N -} for the machine's DGEMM rate, or
 * {@code AlgorithmTrial dgemm-workers - N -} for the rate of one DGEMM per core at once, or
 * {@code AlgorithmTrial kernel-bound cholesky N BLOCK} for {@link CholeskyKernelBound}.
 */
public final class AlgorithmTrial {
    private AlgorithmTrial() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String algorithm = args[1];
        int n = Integer.parseInt(args[2]);
        int block = Integer.parseInt(args[3]);
        if (mode.equals("dgemm-rate")) {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("gflops", dgemmRate(n))));
            System.exit(0);
        }
        if (mode.equals("kernel-bound")) {
            if (!algorithm.equals("cholesky")) {
                throw new IllegalArgumentException("the kernel bound is measured for cholesky only, not " + algorithm);
            }
            int workers = Runtime.getRuntime().availableProcessors();
            System.out.println(new ObjectMapper().writeValueAsString(CholeskyKernelBound.measure(n, block, workers)));
            System.exit(0);
        }
        if (mode.equals("dgemm-workers")) {
            System.out.println(new ObjectMapper().writeValueAsString(Map.of("gflops", concurrentDgemmRate(n))));
            System.exit(0);
        }
        // With a "full" warm-up both sides are timed in steady state, as a long-lived service runs
        // them: one untimed run of the same size warms the JIT, the BLAS thread pools and the heap.
        // The heap part matters on this kind of machine: first-touching a fresh 8 MiB block faults
        // its pages in at 5-20 ms, half a 1024 DGEMM, and numpywren writes one new block per task
        // where the monolithic call works in place. A "small" warm-up (--quick) covers the JIT only.
        boolean full = args.length > 4 && args[4].equals("full");
        if (mode.equals("monolithic")) {
            monolithic(algorithm, full ? n : Math.min(n, 256));
        } else {
            numpywren(algorithm, full ? n : Math.min(n, 2 * block), block);
        }
        // The warm-up's blocks are garbage now. Collecting them lets the timed run start from the
        // clean heap that a new job in a long-lived service would have. The trial JVMs keep G1 from
        // shrinking the heap, so this returns nothing to the OS that the timed run would fault in again.
        System.gc();
        Map<String, Object> out = mode.equals("monolithic") ? monolithic(algorithm, n) : numpywren(algorithm, n, block);
        System.out.println(new ObjectMapper().writeValueAsString(out));
        System.exit(0);
    }

    /** GFLOP/s of one DGEMM of order n with this JVM's BLAS threads: the best of five after a warm-up. */
    private static double dgemmRate(int n) {
        LinearAlgebra la = LinearAlgebraProviders.configured();
        double[] a = dense(MatrixGenerator.random(42), n, n).data();
        double[] b = dense(MatrixGenerator.random(43), n, n).data();
        double[] c = new double[a.length];
        la.dgemm(false, false, n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n);
        double best = 0;
        for (int r = 0; r < 5; r++) {
            long start = System.nanoTime();
            la.dgemm(false, false, n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, c, 0, n);
            best = Math.max(best, 2.0 * n * n * n / ((System.nanoTime() - start) / 1e9) / 1e9);
        }
        return best;
    }

    /**
     * GFLOP/s of one DGEMM of order n per core, all at once on this JVM's BLAS threads (one, as
     * local workers have): the best of five rounds after a warm-up, summed over the threads.
     */
    private static double concurrentDgemmRate(int n) throws Exception {
        int threads = Runtime.getRuntime().availableProcessors();
        LinearAlgebra la = LinearAlgebraProviders.configured();
        double[] a = dense(MatrixGenerator.random(42), n, n).data();
        double[] b = dense(MatrixGenerator.random(43), n, n).data();
        double[][] c = new double[threads][a.length];
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int round = -1; round < 5; round++) {
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Double>> seconds = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    double[] out = c[t];
                    seconds.add(pool.submit(() -> {
                        start.await();
                        long begin = System.nanoTime();
                        la.dgemm(false, false, n, n, n, 1.0, a, 0, n, b, 0, n, 0.0, out, 0, n);
                        return (System.nanoTime() - begin) / 1e9;
                    }));
                }
                double rate = 0;
                for (Future<Double> s : seconds) {
                    rate += 2.0 * n * n * n / s.get() / 1e9;
                }
                if (round >= 0) {
                    best = Math.max(best, rate);
                }
            }
            return best;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Columns of B in solve, the same on both sides and at every block size (it once followed
     * the block on numpywren's side only, charging it 4x the substitutions at block 2048).
     */
    static int solveRightHandSides(int n) {
        return Math.min(512, n);
    }

    private static Block dense(MatrixGenerator g, int rows, int cols) {
        return g.block(0, 0, rows, cols, rows, cols);
    }

    /** The same inputs numpywren gets: entries are functions of their position, whatever the blocking. */
    private static Map<String, Object> monolithic(String algorithm, int n) {
        LinearAlgebra la = LinearAlgebraProviders.configured();
        boolean spd = algorithm.equals("cholesky") || algorithm.equals("solve");
        Block a = dense(spd ? MatrixGenerator.spd(42) : MatrixGenerator.random(42), n, n);
        Block b = dense(MatrixGenerator.random(43), n, algorithm.equals("solve") ? solveRightHandSides(n) : n);
        double[] work = new double[a.data().length];
        long start = 0;
        switch (algorithm) {
            case "gemm" -> {
                double[] c = new double[n * n];
                start = System.nanoTime();
                la.dgemm(false, false, n, n, n, 1.0, a.data(), 0, n, b.data(), 0, n, 0.0, c, 0, n);
            }
            case "cholesky" -> {
                System.arraycopy(a.data(), 0, work, 0, work.length);
                start = System.nanoTime();
                la.dpotrfLower(n, work, n);
            }
            case "qr" -> {
                System.arraycopy(a.data(), 0, work, 0, work.length);
                double[] tau = new double[n];
                start = System.nanoTime();
                la.dgeqrf(n, n, work, n, tau);
            }
            case "svd" -> {
                System.arraycopy(a.data(), 0, work, 0, work.length);
                start = System.nanoTime();
                la.singularValues(n, n, work, n);
            }
            case "solve" -> {
                System.arraycopy(a.data(), 0, work, 0, work.length);
                double[] x = b.data().clone();
                start = System.nanoTime();
                la.dpotrfLower(n, work, n);
                la.dtrsm(true, true, false, n, b.cols(), work, n, x, n);
                la.dtrsm(true, true, true, n, b.cols(), work, n, x, n);
            }
            default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("seconds", seconds);
        out.put("provider", la.name());
        return out;
    }

    private static Map<String, Object> numpywren(String algorithm, int n, int block) {
        int workers = Runtime.getRuntime().availableProcessors();
        try (Numpywren nw = Numpywren.create(ConfigFactory.parseString("numpywren.backends.local.workers = " + workers))) {
            boolean spd = algorithm.equals("cholesky") || algorithm.equals("solve");
            BlockMatrix a = spd ? nw.randomSpd("A", n, block, 42) : nw.random("A", n, n, block, 42);
            long inputBytes = (long) n * n * 8;
            CompletionStage<JobResult> job = switch (algorithm) {
                case "gemm" -> nw.gemm(a, nw.random("B", n, n, block, 43));
                case "cholesky" -> nw.cholesky(a);
                case "qr" -> nw.qr(a);
                case "svd" -> nw.svd(a);
                case "solve" -> nw.solve(a, nw.random("B", n, solveRightHandSides(n), block, 43));
                default -> throw new IllegalArgumentException("unknown algorithm " + algorithm);
            };
            JobReport r = job.toCompletableFuture().join().report();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("seconds", r.wallSeconds());
            out.put("provider", String.join(",", r.kernelProviders()));
            out.put("tasks", r.tasks());
            out.put("bytesRead", r.bytesRead());
            out.put("bytesWritten", r.bytesWritten());
            out.put("peakIntermediateBytes", r.peakIntermediateBlocks() * (long) block * block * 8);
            out.put("inputBytes", inputBytes);
            out.put("workerSecondsBusy", r.workerSecondsBusy());
            out.put("workerSecondsAllocated", r.workerSecondsAllocated());
            out.put("workerSecondsFixedPool", r.workerSecondsFixedPool());
            return out;
        }
    }
}

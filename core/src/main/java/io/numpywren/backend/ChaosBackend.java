package io.numpywren.backend;

import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wraps a backend and injects the failures a serverless platform has, at given rates, from a
 * seed: a worker that dies before writing (the task never runs and never answers), a reply
 * that is lost after the worker wrote its blocks, a slow worker, and a task delivered twice.
 * The scheduler must survive all of them through leases, retries and idempotent writes.
 */
public final class ChaosBackend implements ComputeBackend {

    /** Rates in [0, 1] of each fault, and how long a slow task is held back. */
    public record Rates(double kill, double lose, double slow, double duplicate, Duration slowDelay) {
        public Rates {
            for (double r : new double[] {kill, lose, slow, duplicate}) {
                if (!(r >= 0 && r <= 1)) {
                    throw new IllegalArgumentException("chaos rates must lie in [0, 1], got " + r);
                }
            }
            if (kill + lose + slow + duplicate > 1) {
                throw new IllegalArgumentException("chaos rates add up to more than 1");
            }
        }

        /** Parses {@code kill=0.1,lose=0.05,slow=0.05,duplicate=0.05[,slow-delay=2s]}. */
        public static Rates parse(String spec) {
            Map<String, Double> rates = new java.util.HashMap<>();
            Set<String> seen = new java.util.HashSet<>();
            Duration delay = Duration.ofSeconds(2);
            for (String part : spec.split(",")) {
                String p = part.trim();
                if (p.isEmpty()) {
                    continue;
                }
                int eq = p.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("chaos setting '" + p + "' needs a value, e.g. kill=0.1");
                }
                String name = p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String value = p.substring(eq + 1).trim();
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("chaos setting '" + name + "' is given twice in '" + spec + "'");
                }
                if (name.equals("slow-delay")) {
                    delay = parseDuration(value);
                    continue;
                }
                if (!Set.of("kill", "lose", "slow", "duplicate").contains(name)) {
                    throw new IllegalArgumentException("unknown chaos fault '" + name
                            + "' (kill, lose, slow, duplicate, slow-delay)");
                }
                try {
                    rates.put(name, Double.parseDouble(value));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("chaos rate " + name + "=" + value + " is not a number");
                }
            }
            return new Rates(rates.getOrDefault("kill", 0.0), rates.getOrDefault("lose", 0.0),
                    rates.getOrDefault("slow", 0.0), rates.getOrDefault("duplicate", 0.0), delay);
        }

        private static Duration parseDuration(String value) {
            String v = value.toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                if (v.endsWith("s")) {
                    return Duration.ofMillis((long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                }
                return Duration.ofMillis(Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("slow-delay '" + value + "' is not a duration such as 500ms or 2s");
            }
        }
    }

    private final ComputeBackend delegate;
    private final Rates rates;
    private final SplittableRandom random;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "numpywren-chaos");
        t.setDaemon(true);
        return t;
    });
    /** Answers that will never come; completed on close so that nothing waits forever. */
    private final Set<CompletableFuture<TaskResult>> silenced = ConcurrentHashMap.newKeySet();
    private final AtomicLong killed = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong slowed = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();

    public ChaosBackend(ComputeBackend delegate, Rates rates, long seed) {
        this.delegate = delegate;
        this.rates = rates;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public BackendCapabilities capabilities() {
        return delegate.capabilities();
    }

    private synchronized double draw() {
        return random.nextDouble();
    }

    @Override
    public CompletionStage<TaskResult> submit(TaskSpec spec) {
        double u = draw();
        if (u < rates.kill()) {
            killed.incrementAndGet();
            return silence();
        }
        u -= rates.kill();
        if (u < rates.lose()) {
            lost.incrementAndGet();
            CompletableFuture<TaskResult> never = silence();
            delegate.submit(spec); // the worker runs and writes; its reply is dropped
            return never;
        }
        u -= rates.lose();
        if (u < rates.slow()) {
            slowed.incrementAndGet();
            CompletableFuture<TaskResult> later = new CompletableFuture<>();
            timer.schedule(() -> delegate.submit(spec).whenComplete((r, e) -> complete(later, spec, r, e)),
                    rates.slowDelay().toMillis(), TimeUnit.MILLISECONDS);
            return later;
        }
        u -= rates.slow();
        if (u < rates.duplicate()) {
            duplicated.incrementAndGet();
            // Delivered twice: both copies run and write the same bytes. The reply waits for both, so
            // the copy cannot write after the scheduler has finished the job and removed its blocks.
            CompletableFuture<TaskResult> copy = delegate.submit(spec).toCompletableFuture();
            CompletableFuture<TaskResult> original = delegate.submit(spec).toCompletableFuture();
            return original.thenCombine(copy.handle((r, e) -> r), (first, ignored) -> first);
        }
        return delegate.submit(spec);
    }

    private static void complete(CompletableFuture<TaskResult> f, TaskSpec spec, TaskResult r, Throwable e) {
        if (r != null) {
            f.complete(r);
        } else {
            f.complete(TaskResult.failure(spec, null, TaskError.transientError("transport", String.valueOf(e))));
        }
    }

    private CompletableFuture<TaskResult> silence() {
        CompletableFuture<TaskResult> never = new CompletableFuture<>();
        silenced.add(never);
        return never;
    }

    @Override
    public boolean cancel(String jobId, String taskId) {
        return delegate.cancel(jobId, taskId);
    }

    /** Faults injected so far: killed, lost, slowed, duplicated. */
    public Map<String, Long> injected() {
        return Map.of("killed", killed.get(), "lost", lost.get(), "slowed", slowed.get(), "duplicated", duplicated.get());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        for (CompletableFuture<TaskResult> f : silenced) {
            f.cancel(false);
        }
        delegate.close();
    }
}

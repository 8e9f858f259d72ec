package io.numpywren.tck;

import io.numpywren.backend.BackendCapabilities;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FaultInjectingBlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.storage.StoreException;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link ComputeBackend} contract. A provider runs it, with every other suite, from one
 * {@link ProviderTck} class per configuration; it can also be subclassed alone: implement
 * {@link #newBackend(BlockStore)} (a backend whose workers read and write the blocks of the
 * given store), and override {@link #newStore()} (by default an {@link InMemoryBlockStore}) and
 * {@link #traits()} as needed. Tests that need a trait the provider does not declare, or an
 * ability the backend does not report (cancellation), are skipped, and the skip names it.
 *
 * <p>What every backend must do:
 * <ul>
 *   <li>run tasks and write their outputs correctly, and report each written block's key,
 *       checksum and size as stored;</li>
 *   <li>classify failures: a kernel's numerical failure, a missing input, a malformed spec and a
 *       key outside the job's namespaces are DETERMINISTIC and say what was wrong, and nothing
 *       is written; a store failure is TRANSIENT and a retry after it succeeds;</li>
 *   <li>reject a spec larger than {@link BackendCapabilities#maxRequestBytes()} without running it,
 *       naming the limit;</li>
 *   <li>never run more than {@link BackendCapabilities#maxConcurrency()} tasks at once (checked
 *       where the workers use the given store: {@link BackendTrait#WORKERS_USE_GIVEN_STORE});</li>
 *   <li>cancel a task that has not started, where its capabilities report {@code canCancel()};</li>
 *   <li>complete every submission within {@link #completionTimeout()}, also a second delivery of
 *       one attempt, a submission after close, and submissions pending at close.</li>
 * </ul>
 *
 * <p>Messages are checked against the wording of the project's {@code TaskExecutor}, which every
 * backend's workers run. Each test closes the backends it opened, then the store.
 */
public abstract class ComputeBackendTck {

    /** The store of the test: inputs are written to it and outputs read from it. */
    protected BlockStore store;
    /** A root unique to the test; every key the test uses lies below it. */
    protected String base;
    /** The job's namespace: outputs must lie in it. */
    protected String namespace;
    /** The job's input namespace: inputs may also come from it. */
    protected String inputNamespace;
    /** A namespace the job may neither read nor write. */
    protected String outside;

    private final List<ComputeBackend> opened = new ArrayList<>();

    /** A backend whose workers read and write the blocks of {@code store}. Called once or more per test. */
    protected ComputeBackend newBackend(BlockStore store) {
        if (provider() == null) {
            throw new IllegalStateException(getClass().getName() + " must override newBackend(store), or run from a "
                    + "ProviderTck");
        }
        try {
            return provider().newBackend(store);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("newBackend(store) failed: " + e, e);
        }
    }

    /**
     * The provider this suite runs for, when {@link ProviderTck} nests it: every default here then
     * asks it. A suite subclassed alone returns null and overrides what it needs.
     */
    protected TckProvider provider() {
        return null;
    }

    /** The store the test writes inputs to and reads outputs from; fresh for each test. */
    protected BlockStore newStore() throws Exception {
        return provider() != null ? provider().newStore() : new InMemoryBlockStore("tck");
    }

    /** The optional abilities of the backend; none by default. */
    protected Set<BackendTrait> traits() {
        return provider() != null ? provider().backendTraits() : EnumSet.noneOf(BackendTrait.class);
    }

    /**
     * How someone other than the driver reaches this backend's workers: the raw request bytes in,
     * the worker's answer out. {@code genuine} signs as the backend itself does (the deployment's
     * key), so the kit can alter a genuine request. Empty when nothing outside the driver's process
     * can reach the workers (an in-process backend); the forgery tests are then skipped, saying so.
     */
    protected Optional<OutsideAccess> outsideAccess() {
        return provider() != null ? provider().outsideAccess() : Optional.empty();
    }

    /** See {@link #outsideAccess()}. */
    public record OutsideAccess(Function<byte[], TaskResult> invoke, TaskSigner genuine) {
    }

    /** How long any one submission may take to complete, and any condition the test waits for to hold. */
    protected Duration completionTimeout() {
        return provider() != null ? provider().timeout() : Duration.ofSeconds(30);
    }

    @BeforeEach
    public void openStoreUnderTest() throws Exception {
        store = newStore();
        assertThat(store).as("newStore()").isNotNull();
        base = "tck-" + UUID.randomUUID().toString().substring(0, 8);
        namespace = base + "/job";
        inputNamespace = base + "/input";
        outside = base + "/secret";
    }

    @AfterEach
    public void closeBackendsAndStore() {
        try {
            for (ComputeBackend b : opened) {
                b.close();
            }
            opened.clear();
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /** Opens a backend over {@code workerStore}; it is closed after the test. */
    protected final ComputeBackend open(BlockStore workerStore) {
        ComputeBackend backend = newBackend(workerStore);
        assertThat(backend).as("newBackend(store)").isNotNull();
        opened.add(backend);
        return backend;
    }

    /** Opens a backend over the test's store. */
    protected final ComputeBackend open() {
        return open(store);
    }

    /** Skips the calling test, saying which capability the provider does not declare. */
    protected final void requireTrait(BackendTrait trait, String what) {
        assumeTrue(traits().contains(trait),
                () -> "skipped: " + what + " needs " + trait + ", which " + getClass().getSimpleName()
                        + ".traits() does not declare");
    }

    // ---------------------------------------------------------------- helpers

    protected final void write(String key, Block block) {
        store.put(key, BlockCodec.encode(block));
    }

    protected final Block read(String key) {
        return BlockCodec.decode(key, store.get(key));
    }

    /** Every key below the test's root, for checking that a rejected task wrote nothing. */
    protected final List<String> keysOfThisTest() {
        return store.list(base + "/");
    }

    protected final TaskSpec spec(String taskId, int attempt, String kernel, Map<String, TaskSpec.TypedValue> args,
                                  List<String> inputs, List<String> outputs) {
        return new TaskSpec(TaskSpec.VERSION, base, taskId, attempt, namespace, List.of(inputNamespace), kernel, args,
                inputs, outputs.stream().map(k -> new TaskSpec.OutputBlock(k, "float64")).toList());
    }

    protected final TaskSpec spec(String taskId, String kernel, Map<String, TaskSpec.TypedValue> args,
                                  List<String> inputs, List<String> outputs) {
        return spec(taskId, 1, kernel, args, inputs, outputs);
    }

    /** scale(alpha) of {@code input} into {@code output}. */
    protected final TaskSpec scale(String taskId, double alpha, String input, String output) {
        return spec(taskId, "scale", Map.of("alpha", TaskSpec.TypedValue.of(alpha)), List.of(input), List.of(output));
    }

    private static String describe(TaskSpec spec) {
        return "task " + spec.taskId() + " (attempt " + spec.attempt() + ") of job " + spec.jobId();
    }

    /**
     * The result of a submission, waited for at most {@link #completionTimeout()}; fails unless it
     * completes normally with a result for this very spec.
     */
    protected final TaskResult await(TaskSpec spec, CompletionStage<TaskResult> stage) {
        assertThat(stage).as("submit(%s) returned null", describe(spec)).isNotNull();
        TaskResult result;
        try {
            result = stage.toCompletableFuture().get(completionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(describe(spec) + " did not complete within " + completionTimeout());
        } catch (CancellationException e) {
            throw new AssertionError(describe(spec) + " was cancelled, but nobody cancelled it", e);
        } catch (ExecutionException e) {
            throw new AssertionError(describe(spec) + " completed exceptionally instead of with a result "
                    + "(a backend reports failures as results)", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + describe(spec), e);
        }
        assertThat(result).as("result of %s", describe(spec)).isNotNull();
        assertThat(result.jobId()).as("jobId of the result of %s", describe(spec)).isEqualTo(spec.jobId());
        assertThat(result.taskId()).as("taskId of the result of %s", describe(spec)).isEqualTo(spec.taskId());
        assertThat(result.attempt()).as("attempt of the result of %s", describe(spec)).isEqualTo(spec.attempt());
        return result;
    }

    /** Submits and waits; see {@link #await}. */
    protected final TaskResult run(ComputeBackend backend, TaskSpec spec) {
        return await(spec, backend.submit(spec));
    }

    protected static void assertSucceeded(TaskResult r) {
        assertThat(r.ok()).as("task %s failed: %s", r.taskId(), r.error()).isTrue();
        assertThat(r.error()).isNull();
    }

    /** A failure of the given kind whose message contains every fragment (ignoring case). */
    protected static TaskError assertFailed(TaskResult r, TaskError.Kind kind, String... fragments) {
        assertThat(r.ok()).as("task %s succeeded but should have failed %s", r.taskId(), kind).isFalse();
        assertThat(r.status()).isEqualTo(TaskResult.Status.FAILED);
        assertThat(r.error()).as("error of failed task %s", r.taskId()).isNotNull();
        assertThat(r.error().kind()).as("kind of %s", r.error()).isEqualTo(kind);
        assertThat(r.error().message()).as("message of %s", r.error()).isNotBlank();
        for (String f : fragments) {
            assertThat(r.error().message()).as("message of %s", r.error()).containsIgnoringCase(f);
        }
        assertThat(r.outputs()).as("outputs reported by failed task %s", r.taskId()).isEmpty();
        return r.error();
    }

    /** Waits until {@code condition} holds, failing after {@link #completionTimeout()}. */
    protected final void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
        awaitCondition(() -> what, condition);
    }

    /** Waits until {@code condition} holds; {@code what} describes it, as of the moment it timed out. */
    protected final void awaitCondition(Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + completionTimeout().toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + completionTimeout() + " waiting until " + what.get());
            }
            Thread.sleep(1);
        }
    }

    /** Checks each element of a result block against the expected one. */
    protected static void assertBlock(Block actual, Block expected) {
        assertThat(actual.rows()).as("rows").isEqualTo(expected.rows());
        assertThat(actual.cols()).as("cols").isEqualTo(expected.cols());
        for (int i = 0; i < expected.rows(); i++) {
            for (int j = 0; j < expected.cols(); j++) {
                assertThat(actual.get(i, j)).as("element (%d,%d)", i, j).isCloseTo(expected.get(i, j), within(1e-12));
            }
        }
    }

    /**
     * A store whose reads of the keys {@code gated} selects wait at a gate, counting how many wait
     * at once. The gate lets readers through one permit at a time ({@link #release}) or all at
     * once ({@link #open}); a reader waits at most the completion timeout, then fails with a
     * {@link StoreException}, and an interrupted reader fails at once, so nothing hangs.
     */
    protected static final class GatedStore extends ForwardingBlockStore {
        private final Predicate<String> gated;
        private final Duration bound;
        private final Semaphore permits = new Semaphore(0);
        private volatile boolean open;
        private final AtomicInteger waiting = new AtomicInteger();
        private final AtomicInteger mostWaiting = new AtomicInteger();
        private final AtomicInteger arrived = new AtomicInteger();

        public GatedStore(BlockStore delegate, Predicate<String> gated, Duration bound) {
            super(delegate);
            this.gated = gated;
            this.bound = bound;
        }

        @Override
        public ByteBuffer get(String key) {
            if (!gated.test(key)) {
                return super.get(key);
            }
            arrived.incrementAndGet();
            mostWaiting.accumulateAndGet(waiting.incrementAndGet(), Math::max);
            try {
                if (!open && !permits.tryAcquire(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new StoreException("the TCK's gate was not opened within " + bound + " for '" + key + "'");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted at the TCK's gate reading '" + key + "'", e);
            } finally {
                waiting.decrementAndGet();
            }
            return super.get(key);
        }

        /** Lets {@code n} more readers through. */
        public void release(int n) {
            permits.release(n);
        }

        /** Lets every reader through, now and later. */
        public void open() {
            open = true;
            permits.release(Integer.MAX_VALUE / 2);
        }

        /** Readers waiting at the gate now. */
        public int waiting() {
            return waiting.get();
        }

        /** The most readers that ever waited at the gate at once. */
        public int mostWaiting() {
            return mostWaiting.get();
        }

        /** Readers that reached the gate so far. */
        public int arrived() {
            return arrived.get();
        }
    }

    /** A gate on the blocks below {@code <namespace>/G/}, which {@link #blocker} tasks read. */
    private GatedStore gateOnBlockers() {
        return new GatedStore(store, k -> k.startsWith(namespace + "/G/"), completionTimeout());
    }

    /** A task that reads a gated block: it holds a worker until the gate lets it through. */
    private TaskSpec blocker(int i) {
        write(namespace + "/G/" + i + "_0", Block.identity(2, 2));
        return scale("blocker" + i, 3.0, namespace + "/G/" + i + "_0", namespace + "/GB/" + i + "_0");
    }

    /** The backend's maxConcurrency, skipping the test when it is too many workers to hold at a gate. */
    private int gateableConcurrency(ComputeBackend backend) {
        int max = backend.capabilities().maxConcurrency();
        assumeTrue(max <= 64, () -> "skipped: maxConcurrency " + max + " is more workers than this kit holds at a gate "
                + "(at most 64)");
        return max;
    }

    /** Submits maxConcurrency blockers and waits until every worker holds one at the gate. */
    private List<CompletableFuture<TaskResult>> occupyEveryWorker(ComputeBackend backend, GatedStore gate,
                                                                  List<TaskSpec> specs) throws InterruptedException {
        int max = gateableConcurrency(backend);
        List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            TaskSpec s = blocker(i);
            specs.add(s);
            futures.add(backend.submit(s).toCompletableFuture());
        }
        awaitCondition(() -> "all " + max + " workers (maxConcurrency) wait at the gate; " + gate.waiting() + " do",
                () -> gate.waiting() >= max);
        return futures;
    }

    // ---------------------------------------------------------------- capabilities

    @Test
    public void theBackendNamesItselfAndReportsItsCapabilities() {
        ComputeBackend backend = open();

        assertThat(backend.name()).as("name()").isNotBlank();
        BackendCapabilities caps = backend.capabilities();
        assertThat(caps).as("capabilities()").isNotNull();
        assertThat(caps.maxConcurrency()).isPositive();
        assertThat(caps.maxTaskDuration()).isPositive();
        assertThat(caps.workerMemoryBytes()).isPositive();
        assertThat(backend.capabilities()).as("capabilities() is stable").isEqualTo(caps);
    }

    /** Skips the calling test unless the backend reports that it can cancel a task. */
    protected final void requireCancellation() {
        assumeTrue(open().capabilities().canCancel(),
                "skipped: cancelling a task, and the backend's capabilities().canCancel() is false");
    }

    // ---------------------------------------------------------------- running tasks

    @Test
    public void aScaleTaskWritesItsOutputAndReportsWhatItWrote() {
        write(namespace + "/A/0_0", Block.ofRows(new double[] {1, 2}, new double[] {3, 4}));
        ComputeBackend backend = open();

        TaskResult r = run(backend, scale("s0", 2.5, namespace + "/A/0_0", namespace + "/B/0_0"));

        assertSucceeded(r);
        assertBlock(read(namespace + "/B/0_0"), Block.ofRows(new double[] {2.5, 5}, new double[] {7.5, 10}));
        ByteBuffer stored = store.get(namespace + "/B/0_0");
        assertThat(r.outputs()).singleElement().satisfies(w -> {
            assertThat(w.key()).isEqualTo(namespace + "/B/0_0");
            assertThat(w.checksum()).isEqualTo(BlockCodec.header(w.key(), stored).checksum());
            assertThat(w.bytes()).isEqualTo(stored.remaining());
        });
        assertThat(r.bytesWritten()).isEqualTo(stored.remaining());
        assertThat(r.bytesRead()).isEqualTo(store.get(namespace + "/A/0_0").remaining());
    }

    @Test
    public void aGemmTaskWithArgumentsAndAnAccumulatorComputesCPlusAlphaATransposedB() {
        // Inputs from the job's input namespace and its own namespace.
        Block a = Block.ofRows(new double[] {1, 2}, new double[] {3, 4}, new double[] {5, 6}); // 3x2, op(A) = Aᵀ 2x3
        Block b = Block.ofRows(new double[] {1, 0, 2}, new double[] {-1, 3, 1}, new double[] {2, 2, 0}); // 3x3
        Block c = Block.ofRows(new double[] {10, 20, 30}, new double[] {40, 50, 60}); // 2x3
        write(inputNamespace + "/A/0_0", a);
        write(inputNamespace + "/B/0_0", b);
        write(namespace + "/C/0_0", c);
        ComputeBackend backend = open();

        TaskResult r = run(backend, spec("g0", "gemm",
                Map.of("transA", TaskSpec.TypedValue.of(true), "alpha", TaskSpec.TypedValue.of(0.5)),
                List.of(namespace + "/C/0_0", inputNamespace + "/A/0_0", inputNamespace + "/B/0_0"),
                List.of(namespace + "/D/0_0")));

        assertSucceeded(r);
        Block expected = Block.zeros(2, 3);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    sum += a.get(k, i) * b.get(k, j);
                }
                expected.set(i, j, c.get(i, j) + 0.5 * sum);
            }
        }
        assertBlock(read(namespace + "/D/0_0"), expected);
        assertThat(r.flops()).as("flops of a 2x3x3 gemm").isPositive();
    }

    @Test
    public void aCholTaskWritesTheLowerFactor() {
        write(namespace + "/S/0_0", Block.ofRows(new double[] {4, 2}, new double[] {2, 3}));
        ComputeBackend backend = open();

        TaskResult r = run(backend, spec("c0", "chol", Map.of(), List.of(namespace + "/S/0_0"),
                List.of(namespace + "/L/0_0")));

        assertSucceeded(r);
        assertBlock(read(namespace + "/L/0_0"), Block.ofRows(new double[] {2, 0}, new double[] {1, Math.sqrt(2)}));
    }

    @Test
    public void manyIndependentTasksSubmittedTogetherAllSucceedWithTheirOwnOutputs() {
        int n = 24;
        for (int i = 0; i < n; i++) {
            write(namespace + "/A/" + i + "_0", Block.ofRows(new double[] {i, 1}, new double[] {0, -i}));
        }
        ComputeBackend backend = open();
        List<TaskSpec> specs = new ArrayList<>();
        List<CompletionStage<TaskResult>> stages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TaskSpec s = scale("m" + i, i + 0.5, namespace + "/A/" + i + "_0", namespace + "/B/" + i + "_0");
            specs.add(s);
            stages.add(backend.submit(s));
        }
        for (int i = 0; i < n; i++) {
            assertSucceeded(await(specs.get(i), stages.get(i)));
            double alpha = i + 0.5;
            assertBlock(read(namespace + "/B/" + i + "_0"),
                    Block.ofRows(new double[] {alpha * i, alpha}, new double[] {0, -alpha * i}));
        }
        assertThat(store.list(namespace + "/B/")).hasSize(n);
    }

    @Test
    public void twoAttemptsOfOneTaskBothRunAndWriteTheSameBytes() {
        write(namespace + "/A/0_0", Block.ofRows(new double[] {1, 2}, new double[] {3, 4}));
        ComputeBackend backend = open();
        TaskSpec first = scale("t0", 2.0, namespace + "/A/0_0", namespace + "/B/0_0");
        TaskSpec second = spec("t0", 2, "scale", first.arguments(), first.inputs(), List.of(namespace + "/B/0_0"));

        CompletionStage<TaskResult> one = backend.submit(first);
        CompletionStage<TaskResult> two = backend.submit(second);
        TaskResult r1 = await(first, one);
        TaskResult r2 = await(second, two);

        assertSucceeded(r1);
        assertSucceeded(r2);
        assertThat(r2.outputs().get(0).checksum()).isEqualTo(r1.outputs().get(0).checksum());
        assertBlock(read(namespace + "/B/0_0"), Block.ofRows(new double[] {2, 4}, new double[] {6, 8}));
    }

    // ---------------------------------------------------------------- failures

    @Test
    public void aKernelsNumericalFailureIsDeterministicSaysSoAndWritesNothing() {
        write(namespace + "/S/0_0", Block.ofRows(new double[] {1, 2}, new double[] {2, 1})); // indefinite
        ComputeBackend backend = open();
        List<String> before = keysOfThisTest();

        TaskResult r = run(backend, spec("c1", "chol", Map.of(), List.of(namespace + "/S/0_0"),
                List.of(namespace + "/L/0_0")));

        assertFailed(r, TaskError.Kind.DETERMINISTIC, "not positive definite");
        assertThat(r.error().type()).isEqualTo("kernel");
        assertThat(keysOfThisTest()).isEqualTo(before);
    }

    @Test
    public void aMissingInputBlockIsDeterministicAndNamesTheKey() {
        ComputeBackend backend = open();

        TaskResult r = run(backend, scale("x0", 2.0, namespace + "/A/7_7", namespace + "/B/7_7"));

        TaskError e = assertFailed(r, TaskError.Kind.DETERMINISTIC, namespace + "/A/7_7");
        assertThat(e.type()).isEqualTo("missing-block");
        assertThat(e.key()).isEqualTo(namespace + "/A/7_7");
        assertThat(store.exists(namespace + "/B/7_7")).isFalse();
    }

    /** A store whose puts (or gets) of selected keys fail with a StoreException while switched on. */
    private static final class FailingStore extends ForwardingBlockStore {
        final AtomicBoolean failing = new AtomicBoolean(true);
        final AtomicInteger failures = new AtomicInteger();
        private final Predicate<String> affected;

        FailingStore(BlockStore delegate, Predicate<String> affected) {
            super(delegate);
            this.affected = affected;
        }

        @Override
        public void put(String key, ByteBuffer bytes) {
            if (failing.get() && affected.test(key)) {
                failures.incrementAndGet();
                throw new StoreException("503 SlowDown (injected by the TCK) on put of '" + key + "'");
            }
            super.put(key, bytes);
        }
    }

    @Test
    public void aFailedWriteIsTransientNamesTheKeyAndTheRetrySucceeds() {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "injecting a store fault into the workers");
        write(namespace + "/A/0_0", Block.ofRows(new double[] {1, 2}, new double[] {3, 4}));
        FailingStore flaky = new FailingStore(store, k -> k.startsWith(namespace + "/B/"));
        ComputeBackend backend = open(flaky);
        TaskSpec first = scale("w0", 2.0, namespace + "/A/0_0", namespace + "/B/0_0");

        TaskResult r = run(backend, first);

        assertFailed(r, TaskError.Kind.TRANSIENT, namespace + "/B/0_0");
        assertThat(flaky.failures.get()).as("puts that failed").isPositive();
        assertThat(store.exists(namespace + "/B/0_0")).isFalse();

        flaky.failing.set(false);
        TaskSpec retry = spec("w0", 2, "scale", first.arguments(), first.inputs(), List.of(namespace + "/B/0_0"));
        assertSucceeded(run(backend, retry));
        assertBlock(read(namespace + "/B/0_0"), Block.ofRows(new double[] {2, 4}, new double[] {6, 8}));
    }

    @Test
    public void aFailedReadIsTransient() {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "injecting a store fault into the workers");
        write(namespace + "/A/0_0", Block.identity(2, 2));
        FaultInjectingBlockStore throttled = new FaultInjectingBlockStore(store, 1.0, 0.0,
                k -> k.equals(namespace + "/A/0_0"), 1);
        ComputeBackend backend = open(throttled);

        TaskResult r = run(backend, scale("r0", 2.0, namespace + "/A/0_0", namespace + "/B/0_0"));

        assertFailed(r, TaskError.Kind.TRANSIENT, namespace + "/A/0_0");
        assertThat(throttled.throttledCount()).as("reads throttled").isPositive();
        assertThat(store.exists(namespace + "/B/0_0")).isFalse();
    }

    // ---------------------------------------------------------------- malformed specs and keys

    /** Runs a spec that must be rejected before anything is read or written. */
    private void assertRejected(TaskSpec spec, String... fragments) {
        write(namespace + "/A/0_0", Block.identity(2, 2));
        write(outside + "/A/0_0", Block.identity(2, 2));
        ComputeBackend backend = open();
        List<String> before = keysOfThisTest();

        TaskResult r = run(backend, spec);

        TaskError e = assertFailed(r, TaskError.Kind.DETERMINISTIC, fragments);
        assertThat(e.type()).isEqualTo("malformed-spec");
        assertThat(keysOfThisTest()).as("keys after a rejected task").isEqualTo(before);
    }

    @Test
    public void anUnknownKernelIsRejectedNamingIt() {
        assertRejected(spec("u0", "no_such_kernel", Map.of(), List.of(namespace + "/A/0_0"),
                List.of(namespace + "/B/0_0")), "unknown kernel", "no_such_kernel");
    }

    @Test
    public void aWrongNumberOfOutputsIsRejectedSayingHowMany() {
        assertRejected(spec("o0", "scale", Map.of("alpha", TaskSpec.TypedValue.of(2.0)),
                List.of(namespace + "/A/0_0"), List.of(namespace + "/B/0_0", namespace + "/B/1_0")),
                "scale", "spec lists 2");
    }

    @Test
    public void aTypedArgumentWhoseValueDoesNotParseIsRejectedNamingTheArgument() {
        assertRejected(spec("a0", "scale", Map.of("alpha", new TaskSpec.TypedValue("real", "not-a-number")),
                List.of(namespace + "/A/0_0"), List.of(namespace + "/B/0_0")), "alpha", "not-a-number");
    }

    @Test
    public void aTypedArgumentOfAnUnknownTypeIsRejectedNamingTheType() {
        assertRejected(spec("a1", "scale", Map.of("alpha", new TaskSpec.TypedValue("complex", "1+2i")),
                List.of(namespace + "/A/0_0"), List.of(namespace + "/B/0_0")), "alpha", "complex");
    }

    @Test
    public void aBooleanArgumentThatIsNeitherTrueNorFalseIsRejected() {
        assertRejected(spec("a2", "gemm", Map.of("transA", new TaskSpec.TypedValue("bool", "maybe")),
                List.of(namespace + "/A/0_0", namespace + "/A/0_0"), List.of(namespace + "/B/0_0")),
                "transA", "maybe");
    }

    @Test
    public void anUnsupportedOutputDtypeIsRejectedNamingIt() {
        assertRejected(new TaskSpec(TaskSpec.VERSION, base, "d0", 1, namespace, List.of(), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of(namespace + "/A/0_0"),
                List.of(new TaskSpec.OutputBlock(namespace + "/B/0_0", "float16"))), "float16");
    }

    @Test
    public void anAttemptBelowOneIsRejected() {
        assertRejected(spec("n0", 0, "scale", Map.of("alpha", TaskSpec.TypedValue.of(2.0)),
                List.of(namespace + "/A/0_0"), List.of(namespace + "/B/0_0")), "attempt");
    }

    @Test
    public void anOutputOutsideTheNamespaceIsRejectedAndNotWritten() {
        assertRejected(scale("k0", 2.0, namespace + "/A/0_0", outside + "/B/0_0"), outside + "/B/0_0", "outside");
        assertThat(store.exists(outside + "/B/0_0")).isFalse();
    }

    @Test
    public void anOutputInTheInputNamespaceIsRejected() {
        assertRejected(scale("k1", 2.0, namespace + "/A/0_0", inputNamespace + "/B/0_0"),
                inputNamespace + "/B/0_0", "outside");
    }

    @Test
    public void anInputOutsideTheNamespacesIsRejectedAndNotRead() {
        assertRejected(scale("k2", 2.0, outside + "/A/0_0", namespace + "/B/0_0"), outside + "/A/0_0", "outside");
    }

    @Test
    public void anInputKeyWithADotDotSegmentIsRejected() {
        assertRejected(scale("k3", 2.0, namespace + "/../secret/A/0_0", namespace + "/B/0_0"),
                namespace + "/../secret/A/0_0", "'..'");
    }

    @Test
    public void anOutputKeyWithADotDotSegmentIsRejected() {
        assertRejected(scale("k4", 2.0, namespace + "/A/0_0", namespace + "/../secret/B/0_0"),
                namespace + "/../secret/B/0_0", "'..'");
    }

    @Test
    public void anAbsoluteOutputKeyIsRejected() {
        assertRejected(scale("k5", 2.0, namespace + "/A/0_0", "/" + namespace + "/B/0_0"),
                "/" + namespace + "/B/0_0", "absolute");
    }

    @Test
    public void aNamespaceWithADotDotSegmentIsRejected() {
        String escaping = namespace + "/..";
        assertRejected(new TaskSpec(TaskSpec.VERSION, base, "k6", 1, escaping, List.of(), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of(escaping + "/secret/A/0_0"),
                List.of(new TaskSpec.OutputBlock(escaping + "/secret/B/0_0", "float64"))), escaping, "'..'");
    }

    @Test
    public void anInputNamespaceWithADotDotSegmentIsRejected() {
        String escaping = inputNamespace + "/../secret";
        assertRejected(new TaskSpec(TaskSpec.VERSION, base, "k7", 1, namespace, List.of(escaping), "scale",
                Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of(escaping + "/A/0_0"),
                List.of(new TaskSpec.OutputBlock(namespace + "/B/0_0", "float64"))), escaping, "'..'");
    }

    // ---------------------------------------------------------------- forged requests

    /**
     * A worker acts only for its own driver: a request that is not signed, was signed with another
     * key, or was altered after signing (here: its output moved into another job's namespace, and
     * its argument changed) is refused as a forgery, and no block is read or written.
     */
    @Test
    public void aForgedOrAlteredSpecIsRefusedAndTouchesNoBlock() throws Exception {
        OutsideAccess outside = outsideAccess().orElse(null);
        assumeTrue(outside != null, "skipped: " + getClass().getSimpleName() + ".outsideAccess() is empty: the "
                + "backend's workers cannot be reached except through the backend itself");
        write(namespace + "/A/0_0", Block.ofRows(new double[] {1, 2}, new double[] {3, 4}));
        TaskSpec honest = scale("f1", 2.0, namespace + "/A/0_0", namespace + "/B/0_0");
        TaskResult genuine = outside.invoke().apply(outside.genuine().sign(honest));
        assertThat(genuine.ok()).as("a genuinely signed request, sent from outside: %s", genuine.error()).isTrue();
        assertThat(read(namespace + "/B/0_0").get(1, 0)).isEqualTo(6.0);

        String victim = base + "/victim/B/0_0";
        List<byte[]> forgeries = List.of(
                TaskCodec.encode(scale("f2", 2.0, namespace + "/A/0_0", namespace + "/C/0_0")),
                TaskSigner.fromBase64(TaskSigner.newKey(), "a key of the kit's own")
                        .sign(scale("f3", 2.0, namespace + "/A/0_0", namespace + "/C/0_0")),
                altered(outside.genuine().sign(scale("f4", 2.0, namespace + "/A/0_0", namespace + "/C/0_0")),
                        namespace + "/C/0_0", victim),
                altered(outside.genuine().sign(scale("f5", 2.0, namespace + "/A/0_0", namespace + "/C/0_0")),
                        "\"2.0\"", "\"1.0E300\""));
        List<String> before = keysOfThisTest();
        for (byte[] forged : forgeries) {
            TaskResult r = outside.invoke().apply(forged);
            assertThat(r.ok()).as("a forged request was run").isFalse();
            assertThat(r.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
            assertThat(r.error().type()).isEqualTo("forged-spec");
        }
        assertThat(keysOfThisTest()).as("blocks after the forgeries").isEqualTo(before);
    }

    /** A signed request with {@code from} replaced by {@code to} inside what was signed. */
    private static byte[] altered(byte[] signed, String from, String to) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode envelope =
                (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(signed);
        String text = envelope.get("signed").asText();
        assertThat(text).as("the signed payload").contains(from);
        envelope.put("signed", text.replace(from, to));
        return json.writeValueAsBytes(envelope);
    }

    // ---------------------------------------------------------------- request size

    @Test
    public void aSpecLargerThanMaxRequestBytesIsRejectedNamingTheLimit() {
        ComputeBackend backend = open();
        long limit = backend.capabilities().maxRequestBytes();
        assumeTrue(limit != Long.MAX_VALUE, "skipped: the backend declares no request size limit "
                + "(capabilities().maxRequestBytes() is Long.MAX_VALUE)");
        assumeTrue(limit <= 64L * 1024 * 1024, () -> "skipped: maxRequestBytes " + limit
                + " is more than this kit builds in memory (64 MiB)");
        // add(X1, ..., Xn) over many long keys: well formed, only too large.
        String padding = "p".repeat(900);
        List<String> inputs = new ArrayList<>();
        TaskSpec big;
        int chunk = (int) Math.max(1, limit / 900 / 4);
        do {
            for (int i = 0; i < chunk; i++) {
                inputs.add(namespace + "/" + padding + "/" + inputs.size() + "_0");
            }
            big = spec("big", "add", Map.of(), inputs, List.of(namespace + "/SUM/0_0"));
        } while (TaskCodec.encode(big).length <= limit);
        List<String> before = keysOfThisTest();

        TaskResult r = run(backend, big);

        assertFailed(r, TaskError.Kind.DETERMINISTIC, String.valueOf(limit));
        assertThat(keysOfThisTest()).isEqualTo(before);
    }

    // ---------------------------------------------------------------- concurrency

    /**
     * Holds every task at the gate and lets them through one by one, each time waiting until as
     * many as the backend declares it runs at once are waiting again: the gate must fill up to
     * maxConcurrency (the declared concurrency is real) and never beyond it.
     */
    @Test
    public void neverRunsMoreTasksAtOnceThanItsMaxConcurrency() throws Exception {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "counting the reads the workers make at once");
        GatedStore gate = gateOnBlockers();
        ComputeBackend backend = open(gate);
        int max = gateableConcurrency(backend);
        int n = 3 * max + 1;
        List<TaskSpec> specs = new ArrayList<>();
        List<CompletionStage<TaskResult>> stages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TaskSpec s = blocker(i);
            specs.add(s);
            stages.add(backend.submit(s));
        }
        for (int released = 0; released < n; released++) {
            int expected = Math.min(max, n - released);
            int done = released;
            awaitCondition(() -> expected + " tasks wait at the gate after " + done + " were let through "
                    + "(maxConcurrency " + max + "); " + gate.waiting() + " do", () -> gate.waiting() >= expected);
            assertThat(gate.waiting()).as("tasks running at once").isLessThanOrEqualTo(max);
            gate.release(1);
        }
        for (int i = 0; i < n; i++) {
            assertSucceeded(await(specs.get(i), stages.get(i)));
        }
        assertThat(gate.arrived()).as("reads of gated blocks").isEqualTo(n);
        assertThat(gate.mostWaiting()).as("the most tasks running at once, with maxConcurrency " + max)
                .isEqualTo(max);
    }

    // ---------------------------------------------------------------- cancellation

    @Test
    public void aQueuedTaskCanBeCancelledAndNeverRuns() throws Exception {
        requireCancellation();
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "holding every worker busy so that a task stays queued");
        GatedStore gate = gateOnBlockers();
        ComputeBackend backend = open(gate);
        List<TaskSpec> blockers = new ArrayList<>();
        List<CompletableFuture<TaskResult>> running = occupyEveryWorker(backend, gate, blockers);
        write(namespace + "/A/0_0", Block.identity(2, 2));
        TaskSpec victim = scale("v1", 2.0, namespace + "/A/0_0", namespace + "/V/1_0");
        TaskSpec bystander = scale("v10", 2.0, namespace + "/A/0_0", namespace + "/V/10_0");
        CompletableFuture<TaskResult> cancelled = backend.submit(victim).toCompletableFuture();
        CompletionStage<TaskResult> kept = backend.submit(bystander);

        assertThat(backend.cancel(base, "v1")).as("cancel of queued task v1").isTrue();
        assertThat(backend.cancel(base, "v1")).as("a second cancel of v1").isFalse();
        gate.open();

        for (int i = 0; i < running.size(); i++) {
            assertSucceeded(await(blockers.get(i), running.get(i)));
        }
        assertSucceeded(await(bystander, kept));
        awaitCondition("the cancelled task's submission completes", cancelled::isDone);
        if (!cancelled.isCancelled()) {
            TaskResult r = cancelled.getNow(null);
            assertThat(r).as("result of the cancelled task").isNotNull();
            assertThat(r.ok()).as("a cancelled task must not report success").isFalse();
        }
        assertThat(store.exists(namespace + "/V/1_0")).as("output of the cancelled task").isFalse();
        assertThat(store.exists(namespace + "/V/10_0")).as("output of task v10, not cancelled").isTrue();
    }

    @Test
    public void cancelOfAFinishedOrUnknownTaskReturnsFalseAndChangesNothing() {
        requireCancellation();
        write(namespace + "/A/0_0", Block.identity(2, 2));
        ComputeBackend backend = open();
        assertSucceeded(run(backend, scale("f0", 2.0, namespace + "/A/0_0", namespace + "/B/0_0")));

        assertThat(backend.cancel(base, "f0")).as("cancel of a finished task").isFalse();
        assertThat(backend.cancel(base, "never-submitted")).as("cancel of an unknown task").isFalse();
        assertThat(backend.cancel("other-job", "f0")).as("cancel of a task of another job").isFalse();
        assertBlock(read(namespace + "/B/0_0"), Block.ofRows(new double[] {2, 0}, new double[] {0, 2}));
    }

    @Test
    public void withoutCancellationCancelReturnsFalseAndTheTaskStillRuns() {
        assumeTrue(!open().capabilities().canCancel(),
                "skipped: checks backends that cannot cancel, and this one's capabilities().canCancel() is true");
        write(namespace + "/A/0_0", Block.identity(2, 2));
        ComputeBackend backend = open();
        TaskSpec s = scale("nc0", 2.0, namespace + "/A/0_0", namespace + "/B/0_0");

        CompletionStage<TaskResult> stage = backend.submit(s);
        assertThat(backend.cancel(base, "nc0")).isFalse();

        assertSucceeded(await(s, stage));
        assertThat(store.exists(namespace + "/B/0_0")).isTrue();
    }

    // ---------------------------------------------------------------- every submission completes

    @Test
    public void everySubmissionOfAMixedBatchCompletesWithItsOwnResult() {
        write(namespace + "/A/0_0", Block.identity(2, 2));
        write(namespace + "/S/0_0", Block.ofRows(new double[] {1, 2}, new double[] {2, 1}));
        ComputeBackend backend = open();
        Map<TaskSpec, Boolean> specs = new HashMap<>();
        specs.put(scale("ok", 2.0, namespace + "/A/0_0", namespace + "/B/0_0"), true);
        specs.put(spec("kernel-fails", "chol", Map.of(), List.of(namespace + "/S/0_0"), List.of(namespace + "/L/0_0")),
                false);
        specs.put(scale("missing", 2.0, namespace + "/A/9_9", namespace + "/B/9_9"), false);
        specs.put(spec("unknown-kernel", "nope", Map.of(), List.of(), List.of(namespace + "/X/0_0")), false);
        specs.put(scale("escapes", 2.0, namespace + "/A/0_0", outside + "/B/0_0"), false);
        specs.put(new TaskSpec(TaskSpec.VERSION, base, "no-namespace", 1, null, null, "scale", null, null, null), false);
        Map<TaskSpec, CompletionStage<TaskResult>> stages = new HashMap<>();
        specs.keySet().forEach(s -> stages.put(s, backend.submit(s)));

        specs.forEach((s, succeeds) -> {
            TaskResult r = await(s, stages.get(s));
            assertThat(r.ok()).as("%s succeeded: %s", s.taskId(), r.error()).isEqualTo(succeeds);
            if (!succeeds) {
                assertThat(r.error().kind()).as("kind of the failure of %s", s.taskId())
                        .isEqualTo(TaskError.Kind.DETERMINISTIC);
            }
        });
    }

    @Test
    public void aTaskDeliveredTwiceCompletesBothSubmissions() throws Exception {
        write(namespace + "/A/0_0", Block.ofRows(new double[] {1, 2}, new double[] {3, 4}));
        boolean gated = traits().contains(BackendTrait.WORKERS_USE_GIVEN_STORE);
        GatedStore gate = gateOnBlockers();
        ComputeBackend backend = open(gated ? gate : store);
        List<TaskSpec> blockers = new ArrayList<>();
        // Where the kit can, both copies wait in the queue together.
        List<CompletableFuture<TaskResult>> running = gated ? occupyEveryWorker(backend, gate, blockers) : List.of();
        TaskSpec s = scale("dup", 2.0, namespace + "/A/0_0", namespace + "/B/0_0");

        CompletionStage<TaskResult> one = backend.submit(s);
        CompletionStage<TaskResult> two = backend.submit(s);
        gate.open();

        assertSucceeded(await(s, one));
        assertSucceeded(await(s, two));
        for (int i = 0; i < running.size(); i++) {
            assertSucceeded(await(blockers.get(i), running.get(i)));
        }
        assertBlock(read(namespace + "/B/0_0"), Block.ofRows(new double[] {2, 4}, new double[] {6, 8}));
    }

    @Test
    public void aSubmissionAfterCloseCompletesWithATransientFailure() {
        write(namespace + "/A/0_0", Block.identity(2, 2));
        ComputeBackend backend = open();
        backend.close();
        TaskSpec s = scale("late", 2.0, namespace + "/A/0_0", namespace + "/B/0_0");

        TaskResult r = run(backend, s);

        assertFailed(r, TaskError.Kind.TRANSIENT);
        assertThat(store.exists(namespace + "/B/0_0")).isFalse();
    }

    @Test
    public void closingTheBackendCompletesEverySubmissionStillRunningOrQueued() throws Exception {
        requireTrait(BackendTrait.WORKERS_USE_GIVEN_STORE, "holding every worker busy so that tasks stay queued");
        GatedStore gate = gateOnBlockers();
        ComputeBackend backend = open(gate);
        List<TaskSpec> specs = new ArrayList<>();
        List<CompletableFuture<TaskResult>> futures = new ArrayList<>(occupyEveryWorker(backend, gate, specs));
        write(namespace + "/A/0_0", Block.identity(2, 2));
        for (int i = 0; i < 3; i++) {
            TaskSpec s = scale("queued" + i, 2.0, namespace + "/A/0_0", namespace + "/Q/" + i + "_0");
            specs.add(s);
            futures.add(backend.submit(s).toCompletableFuture());
        }

        CompletableFuture<Void> closing = CompletableFuture.runAsync(backend::close);
        try {
            closing.get(completionTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            gate.open(); // whatever close did, nothing may wait at the gate any longer
        }

        for (int i = 0; i < specs.size(); i++) {
            TaskResult r = await(specs.get(i), futures.get(i));
            if (!r.ok()) {
                assertThat(r.error().kind()).as("a task cut short by close(): %s", r.error())
                        .isEqualTo(TaskError.Kind.TRANSIENT);
            }
        }
    }
}

package io.numpywren.task;

import io.numpywren.codec.BlockCodec;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.storage.StoreException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TaskExecutorTest {
    private final InMemoryBlockStore store = new InMemoryBlockStore();
    private final TaskExecutor executor = new TaskExecutor(store, LinearAlgebraProviders.configured(), "test-worker");

    private static Block block(int rows, int cols, double start) {
        Block b = Block.zeros(rows, cols);
        for (int i = 0; i < b.data().length; i++) {
            b.data()[i] = start + i;
        }
        return b;
    }

    private static TaskSpec spec(String kernel, Map<String, TaskSpec.TypedValue> args, List<String> inputs,
                                 List<String> outputs) {
        return new TaskSpec(TaskSpec.VERSION, "job1", "t1", 1, "jobs/job1", List.of("in"), kernel, args, inputs,
                outputs.stream().map(k -> new TaskSpec.OutputBlock(k, "float64")).toList());
    }

    @Test
    void aGemmTaskReadsItsInputsWritesItsOutputAndReportsWhatItCost() {
        store.put("in/A/0_0", BlockCodec.encode(block(3, 4, 1)));
        store.put("in/B/0_0", BlockCodec.encode(block(4, 2, 5)));
        TaskResult r = executor.execute(spec("gemm", Map.of(), List.of("in/A/0_0", "in/B/0_0"), List.of("jobs/job1/C/0_0")));

        assertThat(r.ok()).as("%s", r.error()).isTrue();
        Block c = BlockCodec.decode("jobs/job1/C/0_0", store.get("jobs/job1/C/0_0"));
        assertThat(c.rows()).isEqualTo(3);
        assertThat(c.get(0, 0)).isEqualTo(1 * 5 + 4 * 6 + 7 * 7 + 10 * 8);
        assertThat(r.flops()).isEqualTo(2L * 3 * 4 * 2);
        assertThat(r.outputs()).singleElement().satisfies(w -> {
            assertThat(w.key()).isEqualTo("jobs/job1/C/0_0");
            assertThat(w.checksum()).isEqualTo(BlockCodec.header(w.key(), store.get(w.key())).checksum());
            assertThat(w.bytes()).isEqualTo(store.get(w.key()).remaining());
        });
        assertThat(r.bytesRead()).isEqualTo(2L * BlockCodec.HEADER_BYTES + 8L * (12 + 8));
        assertThat(r.worker()).isEqualTo("test-worker");
        assertThat(r.kernelProvider()).isNotBlank();
    }

    @Test
    void aRetryWhoseOutputAnEarlierAttemptWroteSucceedsAndLeavesThatBlockAsItWas() {
        store.put("in/A/0_0", BlockCodec.encode(block(2, 2, 1)));
        TaskSpec first = spec("scale", Map.of("alpha", TaskSpec.TypedValue.of(2.0)), List.of("in/A/0_0"),
                List.of("jobs/job1/B/0_0"));
        TaskResult written = executor.execute(first);
        ByteBuffer before = store.get("jobs/job1/B/0_0");
        TaskSpec retry = new TaskSpec(first.version(), first.jobId(), first.taskId(), 2, first.namespace(),
                first.inputNamespaces(), first.kernel(), first.arguments(), first.inputs(), first.outputs());

        TaskResult again = executor.execute(retry);

        assertThat(again.ok()).as("%s", again.error()).isTrue();
        assertThat(again.outputs()).isEqualTo(written.outputs());
        assertThat(again.bytesWritten()).as("nothing was written the second time").isZero();
        assertThat(store.get("jobs/job1/B/0_0")).isEqualTo(before);
        assertThat(BlockCodec.decode("jobs/job1/B/0_0", before).data()).containsExactly(2, 4, 6, 8);
    }

    /**
     * A key named twice is one block, read once into one pooled array. Given back to the pool once
     * per name, another worker could take it in between and a third get it too: two tasks then
     * decode into one array and compute from each other's values. Reproduced as a wrong Cholesky
     * on the file store; here many such tasks run at once on a store that keeps no blocks itself.
     */
    @Test
    void concurrentTasksNamingOneKeyTwiceNeverShareAPooledArray() throws Exception {
        BlockStore bytesOnly = new io.numpywren.storage.ForwardingBlockStore(new InMemoryBlockStore());
        TaskExecutor shared = new TaskExecutor(bytesOnly, LinearAlgebraProviders.configured(), "pooled");
        int side = 363; // 131,769 values: above the pool's smallest array
        int threads = 3;
        int tasksEach = 150;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<Integer>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    int wrong = 0;
                    for (int k = 0; k < tasksEach; k++) {
                        String in = "in/X/" + thread + "_" + k;
                        String out = "jobs/job1/Y/" + thread + "_" + k;
                        double base = thread * 1e6 + k * 1e3;
                        bytesOnly.put(in, BlockCodec.encode(block(side, side, base)));
                        TaskResult r = shared.execute(spec("add", Map.of(), List.of(in, in), List.of(out)));
                        assertThat(r.ok()).as("%s", r.error()).isTrue();
                        Block y = BlockCodec.decode(out, bytesOnly.get(out));
                        for (int i = 0; i < y.data().length; i++) {
                            if (y.data()[i] != 2 * (base + i)) {
                                wrong++;
                                break;
                            }
                        }
                        bytesOnly.delete(in);
                        bytesOnly.delete(out);
                    }
                    return wrong;
                }));
            }
            int wrong = 0;
            for (java.util.concurrent.Future<Integer> f : done) {
                wrong += f.get(5, java.util.concurrent.TimeUnit.MINUTES);
            }
            assertThat(wrong).as("tasks whose output was not 2X").isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aKeyNamedTwiceIsReadOnceAndGivesTheSymmetricUpdate() {
        Block s = block(3, 3, 1);
        Block x = block(3, 2, 2);
        ByteBuffer sBytes = BlockCodec.encode(s);
        ByteBuffer xBytes = BlockCodec.encode(x);
        long expectedRead = sBytes.remaining() + xBytes.remaining();
        store.put("in/S/0_0", sBytes);
        store.put("in/X/0_0", xBytes);
        TaskResult r = executor.execute(spec("syrk", Map.of(), List.of("in/S/0_0", "in/X/0_0", "in/X/0_0"),
                List.of("jobs/job1/S/0_0")));

        assertThat(r.ok()).as("%s", r.error()).isTrue();
        assertThat(r.bytesRead()).isEqualTo(expectedRead);
        Block out = BlockCodec.decode("jobs/job1/S/0_0", store.get("jobs/job1/S/0_0"));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double xxt = x.get(i, 0) * x.get(j, 0) + x.get(i, 1) * x.get(j, 1);
                assertThat(out.get(i, j)).isCloseTo(s.get(i, j) - xxt, org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }

    @Test
    void specsAndResultsRoundTripThroughJson() {
        TaskSpec s = spec("trsm", Map.of("right", TaskSpec.TypedValue.of(true), "alpha", TaskSpec.TypedValue.of(-1.5),
                "n", TaskSpec.TypedValue.of(3L)), List.of("in/L/0_0", "in/B/1_0"), List.of("jobs/job1/X/1_0"));
        assertThat(TaskCodec.decodeSpec(TaskCodec.encode(s))).isEqualTo(s);
        TaskResult r = TaskResult.failure(s, "w", TaskError.deterministic("kernel", "boom", "in/L/0_0"));
        assertThat(TaskCodec.decodeResult(TaskCodec.encode(r))).isEqualTo(r);
        assertThat(new String(TaskCodec.encode(s), StandardCharsets.UTF_8))
                .contains("\"type\":\"bool\"").contains("\"type\":\"real\"").contains("\"version\":1");
    }

    @Test
    void malformedJsonComesBackAsADeterministicFailureNotAnException() {
        for (String json : List.of("", "{", "null", "[]", "{\"version\":1,\"bogus\":true}",
                "{\"version\":2,\"jobId\":\"j\",\"taskId\":\"t\",\"attempt\":1}")) {
            TaskResult r = TaskCodec.decodeResult(executor.execute(json.getBytes(StandardCharsets.UTF_8)));
            assertThat(r.ok()).as(json).isFalse();
            assertThat(r.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
            assertThat(r.error().type()).isEqualTo("malformed-spec");
        }
    }

    @Test
    void keysOutsideTheJobsNamespacesAreRejectedBeforeAnythingIsReadOrWritten() {
        store.put("in/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        store.put("secret/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        TaskResult outside = executor.execute(spec("chol", Map.of(), List.of("in/A/0_0"), List.of("other/L/0_0")));
        assertThat(outside.error().message()).contains("output key 'other/L/0_0' lies outside the job's namespace");
        TaskResult reading = executor.execute(spec("chol", Map.of(), List.of("secret/A/0_0"), List.of("jobs/job1/L/0_0")));
        assertThat(reading.error().message()).contains("input key 'secret/A/0_0' lies outside");
        TaskResult escaping = executor.execute(spec("chol", Map.of(), List.of("in/../secret/A/0_0"),
                List.of("jobs/job1/L/0_0")));
        assertThat(escaping.error().type()).isEqualTo("malformed-spec");
        assertThat(escaping.error().message()).contains("'..' segments are not allowed");
        assertThat(store.list("jobs/")).isEmpty();
        assertThat(store.list("other/")).isEmpty();

        TaskExecutor rooted = new TaskExecutor(store, LinearAlgebraProviders.configured(), "w", "tenant1");
        assertThat(rooted.execute(spec("chol", Map.of(), List.of("in/A/0_0"), List.of("jobs/job1/L/0_0"))).error().message())
                .contains("outside this worker's root 'tenant1'");
    }

    @Test
    void aMissingInputIsDeterministicAndNamesTheKey() {
        TaskResult r = executor.execute(spec("chol", Map.of(), List.of("in/A/3_3"), List.of("jobs/job1/L/3_3")));
        assertThat(r.error()).isEqualTo(TaskError.deterministic("missing-block", "input block in/A/3_3 does not exist",
                "in/A/3_3"));
    }

    @Test
    void aCorruptInputIsWorthARetryAndNamesTheKey() {
        ByteBuffer encoded = BlockCodec.encode(Block.identity(3, 3));
        encoded.put(BlockCodec.HEADER_BYTES + 5, (byte) 0x7f);
        store.put("in/A/0_0", encoded);
        TaskResult r = executor.execute(spec("chol", Map.of(), List.of("in/A/0_0"), List.of("jobs/job1/L/0_0")));
        assertThat(r.error().type()).isEqualTo("corrupt-block");
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
        assertThat(r.error().key()).isEqualTo("in/A/0_0");
        assertThat(r.error().message()).contains("checksum");
    }

    @Test
    void aNonFiniteBlockTheStoreKeepsDecodedIsStillRejectedByTheKernel() {
        Block withNan = block(3, 3, 1);
        withNan.set(2, 1, Double.NaN);
        store.putBlock("in/A/0_0", withNan, DType.FLOAT64);
        store.putBlock("in/B/0_0", block(3, 3, 2), DType.FLOAT64);
        TaskResult r = executor.execute(spec("gemm", Map.of(), List.of("in/B/0_0", "in/A/0_0"), List.of("jobs/job1/C/0_0")));
        assertThat(r.ok()).isFalse();
        assertThat(r.error().type()).isEqualTo("kernel");
        assertThat(r.error().message()).contains("input 2 of 2").contains("non-finite value NaN at (2,1)");
    }

    @Test
    void aKernelsNumericalFailureIsDeterministic() {
        Block notSpd = Block.identity(3, 3);
        notSpd.set(1, 1, -4);
        store.put("in/A/0_0", BlockCodec.encode(notSpd));
        TaskResult r = executor.execute(spec("chol", Map.of(), List.of("in/A/0_0"), List.of("jobs/job1/L/0_0")));
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.DETERMINISTIC);
        assertThat(r.error().type()).isEqualTo("kernel");
        assertThat(r.error().message()).contains("not positive definite").contains("in/A/0_0");
        assertThat(store.exists("jobs/job1/L/0_0")).isFalse();
    }

    @Test
    void aStoreThatFailsToWriteGivesATransientError() {
        InMemoryBlockStore backing = new InMemoryBlockStore();
        backing.put("in/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        BlockStore flaky = new io.numpywren.storage.ForwardingBlockStore(backing) {
            @Override
            public void put(String key, ByteBuffer bytes) {
                throw new StoreException("503 SlowDown writing " + key);
            }
        };
        TaskResult r = new TaskExecutor(flaky, LinearAlgebraProviders.configured(), "w")
                .execute(spec("chol", Map.of(), List.of("in/A/0_0"), List.of("jobs/job1/L/0_0")));
        assertThat(r.error().kind()).isEqualTo(TaskError.Kind.TRANSIENT);
        assertThat(r.error().message()).contains("SlowDown");
    }

    @Test
    void malformedFieldsAreRejectedWithWhatWasWrong() {
        store.put("in/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        assertThat(executor.execute(spec("potrf", Map.of(), List.of("in/A/0_0"), List.of("jobs/job1/L/0_0")))
                .error().message()).contains("unknown kernel 'potrf'");
        assertThat(executor.execute(spec("chol", Map.of(), List.of("in/A/0_0"),
                List.of("jobs/job1/L/0_0", "jobs/job1/L/0_1"))).error().message())
                .contains("writes 1 blocks but the spec lists 2");
        assertThat(executor.execute(spec("scale", Map.of("alpha", new TaskSpec.TypedValue("real", "two")),
                List.of("in/A/0_0"), List.of("jobs/job1/L/0_0"))).error().message()).contains("argument 'alpha'");
        assertThat(executor.execute(spec("scale", Map.of("alpha", new TaskSpec.TypedValue("complex", "1")),
                List.of("in/A/0_0"), List.of("jobs/job1/L/0_0"))).error().message()).contains("unknown value type 'complex'");
    }

    @Test
    void blocksTheStoreKeepsAreNeverOverwrittenNorReusedForLaterTasks() {
        // Large enough that the worker keeps arrays between tasks (BlockBuffers.MIN_LENGTH).
        int n = 384;
        Block a = block(n, n, 0.5);
        Block b = block(n, n, -0.25);
        Block c = block(n, n, 3);
        Block cBefore = c.copy();
        store.putBlock("in/A/0_0", a, io.numpywren.matrix.DType.FLOAT64);
        store.putBlock("in/B/0_0", b, io.numpywren.matrix.DType.FLOAT64);
        store.putBlock("in/C/0_0", c, io.numpywren.matrix.DType.FLOAT64);
        Block expected = cBefore.copy();
        LinearAlgebraProviders.configured().dgemm(false, false, n, n, n, 1.0, a.data(), 0, n, b.data(), 0, n, 1.0,
                expected.data(), 0, n);

        TaskResult first = executor.execute(spec("gemm", Map.of(), List.of("in/C/0_0", "in/A/0_0", "in/B/0_0"),
                List.of("jobs/job1/C/0_1")));
        Block written = store.getBlock("jobs/job1/C/0_1", double[]::new).block();
        Block writtenBefore = written.copy();
        // A second task on the same worker thread decodes an input from bytes: it must not do so
        // into the first task's output, which the store now holds.
        store.put("in/E/0_0", BlockCodec.encode(block(n, n, 7)));
        TaskResult second = executor.execute(spec("gemm", Map.of(), List.of("in/E/0_0", "in/B/0_0"),
                List.of("jobs/job1/D/0_0")));

        assertThat(first.ok()).as("%s", first.error()).isTrue();
        assertThat(second.ok()).as("%s", second.error()).isTrue();
        assertThat(store.getBlock("in/C/0_0", double[]::new).block()).isEqualTo(cBefore);
        assertThat(written).isEqualTo(writtenBefore);
        Block diff = written.copy();
        for (int i = 0; i < diff.data().length; i++) {
            diff.data()[i] -= expected.data()[i];
        }
        assertThat(diff.frobeniusNorm()).isLessThan(1e-12 * n * expected.frobeniusNorm());
        assertThat(first.outputs().get(0).checksum())
                .isEqualTo(BlockCodec.header("jobs/job1/C/0_1", store.get("jobs/job1/C/0_1")).checksum());
        assertThat(first.bytesRead()).isEqualTo(3L * (BlockCodec.HEADER_BYTES + 8L * n * n));
    }

    /** Runs a task writing twice the block under {@code in} to {@code out}, and checks it succeeded. */
    private void doubles(String in, String out) {
        TaskResult r = executor.execute(spec("scale", Map.of("alpha", new TaskSpec.TypedValue("real", "2")), List.of(in),
                List.of(out)));
        assertThat(r.ok()).as("%s", r.error()).isTrue();
    }

    /**
     * Stores in/A (rows x 509, entries 0.5 + i) and writes twice it to the intermediate T. Each
     * test takes an odd row count no other test uses, so the shared pool holds no other array
     * of that length; 509 columns make it large enough for the pool (BlockArrayPool.MIN_LENGTH).
     */
    private void writeIntermediateT(int rows) {
        store.putBlock("in/A/0_0", block(rows, 509, 0.5), DType.FLOAT64);
        doubles("in/A/0_0", "jobs/job1/T/0_0");
    }

    @Test
    void anIntermediateDeletedAfterItsLastReaderServesALaterTasksOutput() {
        writeIntermediateT(515);
        io.numpywren.storage.FetchedBlock t = store.getBlock("jobs/job1/T/0_0", double[]::new);
        double[] intermediate = t.block().data();
        t.release(); // unreleased, this read would keep T's array out of the pool for good
        doubles("jobs/job1/T/0_0", "jobs/job1/U/0_0");
        Block u = store.getBlock("jobs/job1/U/0_0", double[]::new).block().copy();
        store.delete("jobs/job1/T/0_0"); // as the coordinator does once T's last reader has finished

        doubles("jobs/job1/U/0_0", "jobs/job1/V/0_0");
        Block v = store.getBlock("jobs/job1/V/0_0", double[]::new).block();
        assertThat(v.data()).as("the output reuses T's array").isSameAs(intermediate);
        assertThat(store.getBlock("jobs/job1/U/0_0", double[]::new).block()).isEqualTo(u);
        for (int i = 0; i < v.data().length; i++) {
            assertThat(v.data()[i]).isEqualTo(8 * (0.5 + i));
        }
    }

    @Test
    void anIntermediateAStragglerStillReadsIsNotRecycled() {
        writeIntermediateT(517);
        // A speculative copy of T's reader, still running when the job frees T.
        io.numpywren.storage.FetchedBlock straggler = store.getBlock("jobs/job1/T/0_0", double[]::new);
        Block seen = straggler.block().copy();
        store.delete("jobs/job1/T/0_0");

        doubles("in/A/0_0", "jobs/job1/W/0_0");
        assertThat(store.getBlock("jobs/job1/W/0_0", double[]::new).block().data()).isNotSameAs(straggler.block().data());
        assertThat(straggler.block()).isEqualTo(seen);
        straggler.release();
    }

    /** A store whose reads or writes fail with {@code failure}, as a broken or hostile store might. */
    private static BlockStore failing(InMemoryBlockStore backing, boolean onRead, java.util.function.Supplier<Throwable> failure) {
        return new io.numpywren.storage.ForwardingBlockStore(backing) {
            @Override
            public ByteBuffer get(String key) {
                if (onRead) {
                    throw sneaky(failure.get());
                }
                return super.get(key);
            }

            @Override
            public io.numpywren.storage.FetchedBlock getBlock(String key, java.util.function.IntFunction<double[]> allocator) {
                if (onRead) {
                    throw sneaky(failure.get());
                }
                return super.getBlock(key, allocator);
            }

            @Override
            public void put(String key, ByteBuffer bytes) {
                throw sneaky(failure.get());
            }

            @Override
            public io.numpywren.storage.StoredBlock putGivenBlock(String key, Block block, DType dtype) {
                throw sneaky(failure.get());
            }
        };
    }

    private static RuntimeException sneaky(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        return (RuntimeException) t;
    }

    @Test
    void everyFailureBecomesATypedResultAndNothingEscapes() {
        InMemoryBlockStore backing = new InMemoryBlockStore();
        backing.put("in/A/0_0", BlockCodec.encode(Block.identity(2, 2)));
        TaskSpec chol = spec("chol", Map.of(), List.of("in/A/0_0"), List.of("jobs/job1/L/0_0"));
        record Case(boolean onRead, java.util.function.Supplier<Throwable> failure, TaskError.Kind kind, String type,
                    String message) {
        }
        List<Case> cases = List.of(
                new Case(false, () -> new io.numpywren.storage.InvalidKeyException("jobs/job1/L/0_0", "not allowed here"),
                        TaskError.Kind.DETERMINISTIC, "store", "writing jobs/job1/L/0_0: invalid block key"),
                new Case(false, () -> new ArithmeticException("block too large to encode"),
                        TaskError.Kind.DETERMINISTIC, "store", "too large to encode"),
                new Case(true, () -> new IllegalArgumentException("bad key"), TaskError.Kind.DETERMINISTIC, "store",
                        "reading in/A/0_0: bad key"),
                new Case(true, () -> new OutOfMemoryError("Java heap space"), TaskError.Kind.DETERMINISTIC,
                        "out-of-memory", "needs more memory than this worker has"),
                new Case(false, () -> new OutOfMemoryError("Java heap space"), TaskError.Kind.DETERMINISTIC,
                        "out-of-memory", "use smaller blocks"),
                new Case(true, () -> new IllegalStateException("a bug in a store"), TaskError.Kind.DETERMINISTIC,
                        "internal", "a bug in a store"));
        for (Case c : cases) {
            TaskResult r = new TaskExecutor(failing(backing, c.onRead(), c.failure()), LinearAlgebraProviders.configured(), "w")
                    .execute(chol);
            assertThat(r.ok()).as("%s", c).isFalse();
            assertThat(r.error().kind()).as("%s", c).isEqualTo(c.kind());
            assertThat(r.error().type()).as("%s", c).isEqualTo(c.type());
            assertThat(r.error().message()).as("%s", c).contains(c.message());
            assertThat(r.taskId()).isEqualTo("t1");
        }
    }

    @Test
    void aSpecThatIsNotEvenJsonGetsAMalformedSpecResult() {
        for (String junk : new String[] {"", "{", "null", "[1,2]", "{\"version\": 1}", "\u0000\u0001"}) {
            TaskResult r = TaskCodec.decodeResult(executor.execute(junk.getBytes(StandardCharsets.UTF_8)));
            assertThat(r.ok()).as(junk).isFalse();
            assertThat(r.error().type()).as(junk).isEqualTo("malformed-spec");
            assertThat(r.error().kind()).as(junk).isEqualTo(TaskError.Kind.DETERMINISTIC);
        }
    }
}

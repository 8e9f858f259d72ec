package io.numpywren.task;

import io.numpywren.codec.BlockCodec;
import io.numpywren.codec.CorruptBlockException;
import io.numpywren.kernel.Kernel;
import io.numpywren.kernel.KernelArgs;
import io.numpywren.kernel.KernelException;
import io.numpywren.kernel.Kernels;
import io.numpywren.kernel.LinearAlgebra;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockArrayPool;
import io.numpywren.matrix.DType;
import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockKeys;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FetchedBlock;
import io.numpywren.storage.InvalidKeyException;
import io.numpywren.storage.StoreException;
import io.numpywren.storage.StoredBlock;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The worker side of every backend: validates a {@link TaskSpec}, reads its input blocks,
 * runs its kernel, writes its output blocks and reports a {@link TaskResult}. It never throws
 * for a bad task: every failure comes back as a result with a classified error.
 */
public final class TaskExecutor {
    private final BlockStore store;
    private final LinearAlgebra la;
    private final String worker;
    private final String allowedRoot;

    /**
     * @param allowedRoot a key prefix every key must start with, set by the deployment (not by
     *                    the request); empty allows the whole store
     */
    public TaskExecutor(BlockStore store, LinearAlgebra la, String worker, String allowedRoot) {
        this.store = store;
        this.la = la;
        this.worker = worker;
        this.allowedRoot = allowedRoot == null ? "" : allowedRoot;
    }

    public TaskExecutor(BlockStore store, LinearAlgebra la, String worker) {
        this(store, la, worker, "");
    }

    /**
     * The entry point of a worker that anyone but its driver might reach: the request must be a
     * spec {@code signer} signed ({@link TaskSigner#sign}); anything else (unsigned, altered,
     * signed with another key, expired) is refused with a deterministic "forged-spec" result,
     * before any block is read or written.
     */
    public byte[] executeSigned(byte[] request, TaskSigner signer) {
        TaskSpec spec;
        try {
            spec = signer.verify(request);
        } catch (MalformedTaskException e) {
            return TaskCodec.encode(refused(e));
        }
        return TaskCodec.encode(execute(spec));
    }

    /** The result for a request {@link TaskSigner#verify} refused: deterministic, type "forged-spec". */
    public TaskResult refused(MalformedTaskException why) {
        return TaskResult.failure(null, worker, TaskError.deterministic("forged-spec", "task refused: " + why.getMessage(),
                null));
    }

    /** The handler entry point: JSON in, JSON out, for a worker only its driver can reach. */
    public byte[] execute(byte[] specJson) {
        TaskSpec spec;
        try {
            spec = TaskCodec.decodeSpec(specJson);
        } catch (RuntimeException e) { // MalformedTaskException above all
            return TaskCodec.encode(TaskResult.failure(null, worker,
                    TaskError.deterministic("malformed-spec", e.getMessage(), null)));
        }
        return TaskCodec.encode(execute(spec));
    }

    public TaskResult execute(TaskSpec spec) {
        Kernel kernel;
        KernelArgs args;
        try {
            kernel = validate(spec);
            args = arguments(spec);
        } catch (RuntimeException e) { // MalformedTaskException and InvalidKeyException above all
            return TaskResult.failure(spec, worker, TaskError.deterministic("malformed-spec",
                    "task " + spec.taskId() + " of job " + spec.jobId() + " rejected: " + e.getMessage(), null));
        }
        long start = System.nanoTime();
        // A key named twice (a diagonal update reading one panel block as X and Y) is read
        // once and passed as the same block, which kernels such as syrk recognise.
        Map<String, FetchedBlock> read = new HashMap<>();
        try {
            return execute(spec, kernel, args, start, read);
        } catch (OutOfMemoryError e) {
            // The same task on the same worker needs the same memory: retrying it would fail alike.
            return failed(spec, TaskError.deterministic("out-of-memory", "task " + spec.taskId() + " (" + kernel.name()
                    + " on " + spec.inputs().size() + " input blocks) needs more memory than this worker has ("
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB of heap): give workers more memory or use "
                    + "smaller blocks", null));
        } catch (RuntimeException e) {
            // The promise is a result for every spec, never an exception: a caller waiting on it would
            // otherwise wait for the lease to run out.
            return failed(spec, TaskError.deterministic("internal", "task " + spec.taskId() + " failed: " + e, null));
        } finally {
            // Only now may a store that shares its blocks recycle what this task read.
            for (FetchedBlock fetched : read.values()) {
                fetched.release();
            }
        }
    }

    private TaskResult execute(TaskSpec spec, Kernel kernel, KernelArgs args, long start, Map<String, FetchedBlock> read) {
        BlockArrayPool pool = BlockArrayPool.shared();
        List<Block> inputs = new ArrayList<>(spec.inputs().size());
        boolean[] knownFinite = new boolean[spec.inputs().size()];
        // Arrays the store holds (read from it, or handed to it): never overwritten or reused here.
        Set<double[]> storeOwned = Collections.newSetFromMap(new IdentityHashMap<>());
        long bytesRead = 0;
        String current = null;
        try {
            for (int i = 0; i < spec.inputs().size(); i++) {
                current = spec.inputs().get(i);
                FetchedBlock fetched = read.get(current);
                if (fetched == null) {
                    fetched = store.getBlock(current, pool::take);
                    bytesRead += fetched.bytes();
                    if (fetched.shared()) {
                        storeOwned.add(fetched.block().data());
                    }
                    read.put(current, fetched);
                }
                inputs.add(fetched.block());
                knownFinite[i] = fetched.finite();
            }
        } catch (BlockNotFoundException e) {
            return failed(spec, TaskError.deterministic("missing-block", "input block " + current + " does not exist",
                    current));
        } catch (CorruptBlockException e) {
            // Bits flipped in transit read correctly next time; a block corrupt at rest fails
            // every attempt and so fails the job once the retry budget is spent, naming the block.
            return failed(spec, new TaskError(TaskError.Kind.TRANSIENT, "corrupt-block", e.getMessage(), current));
        } catch (StoreException e) {
            return failed(spec, TaskError.transientError("store", "reading " + current + ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            return failed(spec, TaskError.deterministic("store", "reading " + current + ": " + e.getMessage(), current));
        }
        long readDone = System.nanoTime();
        List<Block> outputs;
        long flops;
        try {
            // Blocks shared with the store are read-only: the kernel then copies what it updates.
            outputs = kernel.run(la, inputs, args, storeOwned.isEmpty(), knownFinite);
            List<int[]> shapes = new ArrayList<>(inputs.size());
            for (Block b : inputs) {
                shapes.add(new int[] {b.rows(), b.cols()});
            }
            flops = kernel.flops(shapes, args);
        } catch (KernelException e) {
            return failed(spec, TaskError.deterministic("kernel", e.getMessage() + " (inputs " + spec.inputs() + ")",
                    spec.inputs().isEmpty() ? null : spec.inputs().get(0)));
        } catch (RuntimeException e) {
            return failed(spec, TaskError.deterministic("internal", "kernel " + kernel.name() + " failed: " + e, null));
        }
        long computed = System.nanoTime();
        List<TaskResult.WrittenBlock> written = new ArrayList<>(outputs.size());
        long bytesWritten = 0;
        try {
            for (int i = 0; i < outputs.size(); i++) {
                TaskSpec.OutputBlock out = spec.outputs().get(i);
                current = out.key();
                Block output = outputs.get(i);
                if (storeOwned.contains(output.data())) {
                    // An output that is an input (or an earlier output) as it stands: the store
                    // must not hold one array under two keys, which it may recycle separately.
                    output = output.copy();
                }
                // The task gives its outputs up: the store may recycle a kept one once it is deleted.
                StoredBlock stored;
                try {
                    stored = store.putGivenBlock(out.key(), output, DType.fromName(out.dtype()));
                    bytesWritten += stored.bytes();
                } catch (BlockExistsException e) {
                    // Only this task writes this key, so an earlier attempt of it did (a retry after a
                    // lost reply, or a speculative twin): blocks are written once, and that one stands.
                    stored = existing(out.key());
                }
                if (stored.kept()) {
                    storeOwned.add(output.data());
                }
                written.add(new TaskResult.WrittenBlock(out.key(), stored.checksum(), stored.bytes()));
            }
        } catch (StoreException e) {
            return failed(spec, TaskError.transientError("store", "writing " + current + ": " + e.getMessage()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            // A key the store rejects, or an output it cannot encode: the same every time.
            return failed(spec, TaskError.deterministic("store", "writing " + current + ": " + e.getMessage(), current));
        }
        long end = System.nanoTime();
        // Everything is stored: the arrays of inputs and outputs the store does not hold serve later tasks.
        // Each array once: a key named twice is one block, and an in-place kernel's output is its input.
        // Given twice, another worker could take it between the two gives, and two tasks would then
        // write into one array.
        Set<double[]> released = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<Block> blocks : List.of(inputs, outputs)) {
            for (Block b : blocks) {
                if (!storeOwned.contains(b.data()) && released.add(b.data())) {
                    pool.give(b.data());
                }
            }
        }
        return new TaskResult(TaskResult.VERSION, spec.jobId(), spec.taskId(), spec.attempt(), TaskResult.Status.OK,
                written, flops, bytesRead, bytesWritten, (readDone - start) / 1e9, (computed - readDone) / 1e9,
                (end - computed) / 1e9, worker, la.reportName(), null);
    }

    private StoredBlock existing(String key) {
        ByteBuffer bytes = store.get(key);
        return new StoredBlock(BlockCodec.header(key, bytes).checksum(), bytes.remaining(), false);
    }

    private TaskResult failed(TaskSpec spec, TaskError error) {
        return TaskResult.failure(spec, worker, error);
    }

    private Kernel validate(TaskSpec spec) {
        require(spec.jobId() != null && !spec.jobId().isBlank(), "jobId is missing");
        require(spec.taskId() != null && !spec.taskId().isBlank(), "taskId is missing");
        require(spec.attempt() >= 1, "attempt must be at least 1, got " + spec.attempt());
        require(spec.kernel() != null, "kernel is missing");
        require(Kernels.exists(spec.kernel()), "unknown kernel '" + spec.kernel() + "'");
        Kernel kernel = Kernels.get(spec.kernel());
        require(spec.namespace() != null, "namespace is missing");
        String namespace = BlockKeys.validate(spec.namespace());
        requireUnderRoot(namespace);
        List<String> readable = new ArrayList<>();
        readable.add(namespace + "/");
        for (String ns : spec.inputNamespaces()) {
            requireUnderRoot(BlockKeys.validate(ns));
            // The job writes only its own namespace: one that holds (or lies in) an input would let
            // it write into that input matrix.
            require(!(ns + "/").startsWith(namespace + "/") && !(namespace + "/").startsWith(ns + "/"),
                    "the job's namespace '" + namespace + "' overlaps its input namespace '" + ns + "'");
            readable.add(ns + "/");
        }
        require(spec.outputs().size() == kernel.outputs(), "kernel " + kernel.name() + " writes " + kernel.outputs()
                + " blocks but the spec lists " + spec.outputs().size());
        for (String key : spec.inputs()) {
            BlockKeys.validate(key);
            require(readable.stream().anyMatch(key::startsWith), "input key '" + key + "' lies outside the job's namespaces "
                    + readable);
        }
        for (TaskSpec.OutputBlock out : spec.outputs()) {
            BlockKeys.validate(out.key());
            require(out.key().startsWith(namespace + "/"), "output key '" + out.key() + "' lies outside the job's namespace '"
                    + namespace + "'");
            try {
                DType.fromName(out.dtype());
            } catch (IllegalArgumentException e) {
                throw new MalformedTaskException(e.getMessage());
            }
        }
        return kernel;
    }

    private void requireUnderRoot(String namespace) {
        require(allowedRoot.isEmpty() || namespace.equals(allowedRoot) || namespace.startsWith(allowedRoot + "/"),
                "namespace '" + namespace + "' lies outside this worker's root '" + allowedRoot + "'");
    }

    private static KernelArgs arguments(TaskSpec spec) {
        Map<String, Object> values = new LinkedHashMap<>();
        spec.arguments().forEach((name, typed) -> {
            try {
                values.put(name, typed.toObject());
            } catch (IllegalArgumentException e) {
                throw new MalformedTaskException("argument '" + name + "': " + e.getMessage());
            }
        });
        return KernelArgs.of(values);
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new MalformedTaskException(message);
        }
    }
}

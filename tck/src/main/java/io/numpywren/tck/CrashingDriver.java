package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.BackendContext;
import io.numpywren.backend.Backends;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSpec;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The driver JVM of {@link DriverCrashTck}: a Cholesky on the configured store (-D settings) with
 * the local backend, started or resumed, that the kit kills with SIGKILL. It prints {@code job ID}
 * once the job runs, {@code resumed ID} once a resumed job runs, and {@code done NAMESPACE NAME}
 * (where L is) when it succeeds; each task that succeeds on a worker is appended to a log as
 * {@code TASK VERSION}, so the kit can tell what ran in which incarnation.
 *
 * <pre>
 * CrashingDriver start N BLOCK LOG
 * CrashingDriver resume JOB LOG
 * </pre>
 */
public final class CrashingDriver {
    private CrashingDriver() {
    }

    public static void main(String[] args) throws Exception {
        Config config = ConfigFactory.load();
        PrintStream out = new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        BlockStore store = BlockStores.open(config.getString("numpywren.store"),
                section -> Numpywren.settings(config, "numpywren." + section));
        Map<String, String> local = new HashMap<>(Numpywren.settings(config, "numpywren.backends.local"));
        local.put("kernel-provider", config.getString("numpywren.kernel-provider"));
        Path log = Path.of(args[args.length - 1]);
        ComputeBackend backend = new Logged(Backends.create("local", new BackendContext(store, local)), log);
        try (Numpywren nw = Numpywren.create(config, store, backend)) {
            AtomicBoolean told = new AtomicBoolean();
            CompletionStage<JobResult> job;
            if (args[0].equals("start")) {
                BlockMatrix a = nw.randomSpd("A", Long.parseLong(args[1]), Integer.parseInt(args[2]), 42);
                job = nw.cholesky(a, p -> {
                    if (told.compareAndSet(false, true)) {
                        out.println("job " + p.jobId());
                    }
                });
            } else {
                job = nw.resume(args[1], p -> {
                    if (told.compareAndSet(false, true)) {
                        out.println("resumed " + p.jobId() + " " + p.tasksDone() + "/" + p.tasksTotal());
                    }
                });
            }
            try {
                BlockMatrix l = job.toCompletableFuture().join().output("L");
                out.println("done " + l.namespace() + " " + l.name());
            } catch (RuntimeException e) {
                out.println("failed " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
                System.exit(1);
            }
        }
    }

    /** Appends each task that succeeded, with the version its attempt wrote, one line at a time. */
    private static final class Logged extends TckBackends.Forwarding {
        private final OutputStream log;

        Logged(ComputeBackend delegate, Path file) throws IOException {
            super(delegate);
            this.log = new FileOutputStream(file.toFile(), true);
        }

        @Override
        public CompletionStage<TaskResult> submit(TaskSpec spec) {
            return delegate.submit(spec).whenComplete((r, e) -> {
                if (r != null && r.ok() && !r.outputs().isEmpty()) {
                    String key = r.outputs().get(0).key();
                    line(spec.taskId() + " " + key.substring(key.lastIndexOf('.') + 1) + "\n");
                }
            });
        }

        private synchronized void line(String text) {
            try {
                log.write(text.getBytes(StandardCharsets.UTF_8)); // one write: a kill leaves whole lines
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}

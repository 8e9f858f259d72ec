package io.numpywren.aws;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.task.MalformedTaskException;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskError;
import io.numpywren.task.TaskExecutor;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Lambda function: one {@link TaskSpec} (JSON, signed with the deployment's key) in, one
 * {@link TaskResult} (JSON) out, run by core's {@link TaskExecutor} against the S3 bucket its
 * environment names ({@link WorkerEnvironment}). A request not signed with the key in the
 * deployment's secret is refused before any block is touched. Handler string:
 * {@code io.numpywren.aws.WorkerHandler::handleRequest}.
 *
 * <p>Lambda keeps an instance for many invocations, so the store, its connections and the
 * kernels are set up once, when the instance starts. Every failure of a task comes back as a
 * result with a classified error; the handler throws (a function error) only when the function
 * itself is misconfigured, which fails every task the same way.
 */
public final class WorkerHandler implements RequestStreamHandler {
    private final TaskExecutor executor;
    private final TaskSigner signer;
    private final String worker;
    private final String misconfigured;

    public WorkerHandler() {
        TaskExecutor ex = null;
        TaskSigner key = null;
        String name = "lambda";
        String problem = null;
        try {
            WorkerEnvironment env = WorkerEnvironment.from(System.getenv());
            name = env.workerName();
            key = env.signer();
            ex = new TaskExecutor(env.store().build(), LinearAlgebraProviders.select(env.kernelProvider()), name,
                    env.allowedRoot());
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        this.executor = ex;
        this.signer = key;
        this.worker = name;
        this.misconfigured = problem;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        if (misconfigured != null) {
            throw new IllegalStateException(misconfigured);
        }
        byte[] request = input.readAllBytes();
        TaskSpec spec;
        try {
            // Only the driver holding the deployment's key may make this worker act.
            spec = signer.verify(request);
        } catch (MalformedTaskException e) {
            output.write(TaskCodec.encode(executor.refused(e)));
            return;
        }
        TaskResult result;
        try {
            result = executor.execute(spec);
        } catch (Error e) {
            // An OutOfMemoryError and the like: this instance may do better next time, as may another.
            result = TaskResult.failure(spec, worker, TaskError.transientError("worker", "worker failed: " + e));
        }
        output.write(TaskCodec.encode(result));
    }
}

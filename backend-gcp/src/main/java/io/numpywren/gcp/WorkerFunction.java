package io.numpywren.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.task.MalformedTaskException;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskExecutor;
import io.numpywren.task.TaskResult;
import io.numpywren.task.TaskSigner;
import io.numpywren.task.TaskSpec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The Cloud Functions worker (an HTTP function, target {@code io.numpywren.gcp.WorkerFunction}):
 * one signed {@link TaskSpec} POSTed as JSON, one {@link TaskResult} answered as JSON, run by
 * core's {@link TaskExecutor} against the Cloud Storage bucket its environment names
 * ({@link WorkerSettings}).
 *
 * <p>Statuses: 200 for every task that ran, whether it succeeded or failed (its result says which
 * and why); 403 for a request not signed with the deployment's key, or altered, or expired; 400
 * for a signed spec the worker refuses (malformed, a key outside the job's namespaces); 405 for
 * anything but POST; 500 when the function itself is misconfigured, naming what is wrong. A 4xx
 * answer still carries a result with a deterministic error, so the caller never has to guess.
 * The instance keeps its store, connections and kernels across requests.
 */
public final class WorkerFunction implements HttpFunction {
    private final TaskExecutor executor;
    private final TaskSigner signer;
    private final String misconfigured;

    public WorkerFunction() {
        TaskExecutor ex = null;
        TaskSigner key = null;
        String problem = null;
        try {
            WorkerSettings settings = WorkerSettings.from(System.getenv());
            key = settings.signer();
            ex = new TaskExecutor(settings.store().build(), LinearAlgebraProviders.select(settings.kernelProvider()),
                    settings.workerName(), settings.allowedRoot());
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        this.executor = ex;
        this.signer = key;
        this.misconfigured = problem;
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) throws IOException {
        if (misconfigured != null) {
            text(response, 500, misconfigured);
            return;
        }
        if (!"POST".equals(request.getMethod())) {
            response.appendHeader("Allow", "POST");
            text(response, 405, "POST one signed task spec as JSON");
            return;
        }
        byte[] body = request.getInputStream().readAllBytes();
        TaskSpec spec;
        try {
            spec = signer.verify(body);
        } catch (MalformedTaskException e) {
            json(response, 403, executor.refused(e));
            return;
        }
        TaskResult result;
        try {
            result = executor.execute(spec);
        } catch (Error e) {
            // This instance may do better next time, as may another: the caller retries.
            text(response, 503, "worker failed: " + e);
            return;
        }
        boolean refused = !result.ok() && result.error() != null && "malformed-spec".equals(result.error().type());
        json(response, refused ? 400 : 200, result);
    }

    private static void json(HttpResponse response, int status, TaskResult result) throws IOException {
        response.setStatusCode(status);
        response.setContentType("application/json");
        try (OutputStream out = response.getOutputStream()) {
            out.write(TaskCodec.encode(result));
        }
    }

    private static void text(HttpResponse response, int status, String message) throws IOException {
        response.setStatusCode(status);
        response.setContentType("text/plain; charset=utf-8");
        try (OutputStream out = response.getOutputStream()) {
            out.write(message.getBytes(StandardCharsets.UTF_8));
        }
    }
}

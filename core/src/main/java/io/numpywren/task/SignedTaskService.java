package io.numpywren.task;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What an HTTP worker (a Cloud Function, an Azure Function) answers to one request, whatever
 * platform carries it: one {@link TaskSpec} signed with the deployment's key, POSTed as JSON, and
 * one {@link TaskResult} answered as JSON, run by {@link TaskExecutor}. The platform's adapter
 * only moves the bytes.
 *
 * <p>Statuses: 200 for every task that ran, whether it succeeded or failed (its result says which
 * and why); 403 for a request not signed with the deployment's key, or altered, or expired; 400
 * for a signed spec the worker refuses (malformed, a key outside the job's namespaces); 405 for
 * anything but POST (the adapter adds {@code Allow: POST}); 500 when the worker itself is
 * misconfigured, naming what is wrong; 503 when the worker failed in a way another attempt may
 * not. A 4xx answer still carries a result with a deterministic error, so the caller never guesses.
 */
public final class SignedTaskService {
    /** An answer's status, content type and body. */
    public record Answer(int status, String contentType, byte[] body) {
        static Answer text(int status, String message) {
            return new Answer(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
        }

        static Answer json(int status, TaskResult result) {
            return new Answer(status, "application/json", TaskCodec.encode(result));
        }
    }

    /** What the worker runs with: its executor (store, kernels, name, root) and the key it checks. */
    public record Worker(TaskExecutor executor, TaskSigner signer) {
        public Worker {
            Objects.requireNonNull(executor, "executor");
            Objects.requireNonNull(signer, "signer");
        }
    }

    private final Worker worker;
    private final String misconfigured;

    /** Sets the worker up once; a setup that fails (a missing variable, say) makes every answer a 500 naming why. */
    public SignedTaskService(Supplier<Worker> setup) {
        Worker w = null;
        String problem = null;
        try {
            w = setup.get();
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        this.worker = w;
        this.misconfigured = problem;
    }

    public Answer answer(String method, byte[] body) {
        if (misconfigured != null) {
            return Answer.text(500, misconfigured);
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return Answer.text(405, "POST one signed task spec as JSON");
        }
        TaskSpec spec;
        try {
            spec = worker.signer().verify(body == null ? new byte[0] : body);
        } catch (MalformedTaskException e) {
            return Answer.json(403, worker.executor().refused(e));
        }
        TaskResult result;
        try {
            result = worker.executor().execute(spec);
        } catch (Error e) {
            // This instance may do better next time, as may another: the caller retries.
            return Answer.text(503, "worker failed: " + e);
        }
        boolean refused = !result.ok() && result.error() != null && "malformed-spec".equals(result.error().type());
        return Answer.json(refused ? 400 : 200, result);
    }
}

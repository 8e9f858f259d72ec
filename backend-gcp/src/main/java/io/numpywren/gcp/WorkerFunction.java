package io.numpywren.gcp;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.task.SignedTaskService;
import io.numpywren.task.TaskExecutor;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The Cloud Functions worker (an HTTP function, target {@code io.numpywren.gcp.WorkerFunction}):
 * core's {@link SignedTaskService} (one signed task spec in, one result out, and its statuses)
 * against the Cloud Storage bucket its environment names ({@link WorkerSettings}). The instance
 * keeps its store, connections and kernels across requests.
 */
public final class WorkerFunction implements HttpFunction {
    private final SignedTaskService service = new SignedTaskService(() -> {
        WorkerSettings settings = WorkerSettings.from(System.getenv());
        return new SignedTaskService.Worker(new TaskExecutor(settings.store().build(),
                LinearAlgebraProviders.select(settings.kernelProvider()), settings.workerName(), settings.allowedRoot()),
                settings.signer());
    });

    @Override
    public void service(HttpRequest request, HttpResponse response) throws IOException {
        SignedTaskService.Answer answer = service.answer(request.getMethod(), request.getInputStream().readAllBytes());
        if (answer.status() == 405) {
            response.appendHeader("Allow", "POST");
        }
        response.setStatusCode(answer.status());
        response.setContentType(answer.contentType());
        try (OutputStream out = response.getOutputStream()) {
            out.write(answer.body());
        }
    }
}

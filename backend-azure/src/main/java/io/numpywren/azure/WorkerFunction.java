package io.numpywren.azure;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.annotation.AuthorizationLevel;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.task.SignedTaskService;
import io.numpywren.task.TaskExecutor;

import java.util.Optional;

/**
 * The Azure Functions worker: the HTTP-triggered function {@value #NAME}
 * ({@code POST /api/task} with a function key), core's {@link SignedTaskService} (one signed task
 * spec in, one result out, and its statuses) against the Blob Storage container its app settings
 * name ({@link WorkerSettings}). Azure makes an instance of this class per invocation; the store,
 * connections and kernels are kept per worker process.
 */
public final class WorkerFunction {
    public static final String NAME = "task";

    /** Set up on the process's first invocation. */
    private static final class Process {
        static final SignedTaskService SERVICE = new SignedTaskService(() -> {
            WorkerSettings settings = WorkerSettings.from(System.getenv());
            return new SignedTaskService.Worker(new TaskExecutor(settings.store().build(),
                    LinearAlgebraProviders.select(settings.kernelProvider()), settings.workerName(),
                    settings.allowedRoot()), settings.signer());
        });
    }

    @FunctionName(NAME)
    public HttpResponseMessage run(
            @HttpTrigger(name = "req", methods = {HttpMethod.POST}, authLevel = AuthorizationLevel.FUNCTION,
                    dataType = "binary") HttpRequestMessage<Optional<byte[]>> request,
            ExecutionContext context) {
        SignedTaskService.Answer answer = Process.SERVICE.answer(request.getHttpMethod().name(),
                request.getBody().orElse(new byte[0]));
        return request.createResponseBuilder(HttpStatus.valueOf(answer.status()))
                .header("Content-Type", answer.contentType()).body(answer.body()).build();
    }
}

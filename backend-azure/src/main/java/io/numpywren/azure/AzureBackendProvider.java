package io.numpywren.azure;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.BackendProvider;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.task.TaskSigner;

/**
 * {@code numpywren.backend = azure}: {@link AzureFunctionsBackend} on the function app, with its
 * settings from {@code numpywren.backends.azure} ({@link AzureSettings}). The task key and the
 * function key are read from the deployment's key vault with DefaultAzureCredential. The job's
 * store must be the container and prefix the workers use, or the workers would not find the blocks.
 */
public final class AzureBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "azure";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        AzureSettings settings = AzureSettings.from(context.settings());
        if (!(context.store() instanceof BlobBlockStore blob) || !blob.container().equals(settings.container())
                || !blob.prefix().equals(settings.prefix())) {
            throw new IllegalArgumentException("the azure backend's workers read and write " + settings.location()
                    + ", but the job's store is " + (context.store() == null ? "none" : context.store().description())
                    + ": use --store " + settings.location().replaceFirst("/$", "") + " (the same container and prefix)");
        }
        KeyVaultKeys.Keys keys = KeyVaultKeys.read(settings);
        TaskSigner signer = TaskSigner.fromBase64(keys.taskKey(), "the secret " + AzureSettings.TASK_KEY_SECRET);
        return new AzureFunctionsBackend(settings.url(), settings.concurrency(), settings.timeout(),
                (long) settings.memoryMb() << 20, signer, keys.functionKey());
    }
}

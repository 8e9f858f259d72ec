package io.numpywren.backend.local;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.BackendProvider;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;

/**
 * {@code numpywren.backend = local}. Settings: {@code workers} (default, or 0: the number of cores)
 * and {@code kernel-provider} (default: auto).
 */
public final class LocalBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "local";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        int workers = context.intSetting("workers", 0);
        if (workers <= 0) {
            workers = Runtime.getRuntime().availableProcessors();
        }
        String provider = context.setting("kernel-provider", "auto");
        return new LocalBackend(context.store(), LinearAlgebraProviders.select(provider), workers);
    }
}

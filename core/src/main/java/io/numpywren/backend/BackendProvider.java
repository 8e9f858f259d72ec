package io.numpywren.backend;

/**
 * Creates a {@link ComputeBackend}; found by {@link #name()} through {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/io.numpywren.backend.BackendProvider}).
 */
public interface BackendProvider {
    String name();

    ComputeBackend create(BackendContext context);
}

package io.numpywren.tck;

/**
 * What a backend under test allows the kit that its {@link io.numpywren.backend.BackendCapabilities}
 * cannot say. Suites' tests that need a trait the provider does not declare are skipped, and the
 * skip names it. (What the backend reports itself, such as {@code canCancel()}, the suites read
 * from the backend.)
 */
public enum BackendTrait {
    /** The backend's workers read and write through the very store object the kit gives it, so
     *  the kit can inject store faults and observe concurrency (true of in-process backends). */
    WORKERS_USE_GIVEN_STORE
}

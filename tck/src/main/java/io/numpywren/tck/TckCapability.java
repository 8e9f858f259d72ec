package io.numpywren.tck;

/**
 * Optional abilities of a store or backend under test. A suite's tests that need one the
 * provider does not declare are skipped, and the skip says which capability was missing.
 */
public enum TckCapability {
    /** The backend can cancel a task that has not started. */
    CANCELLATION,
    /** The backend's workers read and write through the very store object the test gives it,
     *  so the kit can inject store faults and observe concurrency (true of in-process backends). */
    WORKERS_USE_GIVEN_STORE,
    /** The store holds objects of at least 64 MiB. */
    LARGE_BLOCKS,
    /** The store decides concurrent puts of one key atomically, so exactly one succeeds (every
     *  real store does; a stand-in that checks and then writes in two steps does not). */
    ATOMIC_CONDITIONAL_PUTS
}

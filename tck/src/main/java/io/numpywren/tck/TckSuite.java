package io.numpywren.tck;

/** The kit's suites, as {@link TckProvider}'s hooks name them. */
public enum TckSuite {
    BLOCK_STORE, COMPUTE_BACKEND, ALGORITHMS, BAD_INPUT, FAULT_TOLERANCE;

    /** The suite a test instance belongs to, or null for anything else. */
    static TckSuite of(Object instance) {
        if (instance instanceof BlockStoreTck) {
            return BLOCK_STORE;
        }
        if (instance instanceof ComputeBackendTck) {
            return COMPUTE_BACKEND;
        }
        if (instance instanceof AlgorithmTck) {
            return ALGORITHMS;
        }
        if (instance instanceof BadInputTck) {
            return BAD_INPUT;
        }
        if (instance instanceof FaultToleranceTck) {
            return FAULT_TOLERANCE;
        }
        return null;
    }
}

package io.numpywren.tck;

/** The kit's suites, as {@link TckProvider}'s hooks name them. */
public enum TckSuite {
    BLOCK_STORE, COMPUTE_BACKEND, ALGORITHMS, BAD_INPUT, FAULT_TOLERANCE
}

package io.numpywren.kernel;

/**
 * A kernel that cannot produce a result from its inputs: a matrix that is not positive
 * definite, a singular triangle, a NaN, mismatched shapes. Deterministic: running the same
 * task again fails the same way, so it must not be retried.
 */
public class KernelException extends RuntimeException {
    private final String kernel;

    public KernelException(String kernel, String message) {
        super(kernel + ": " + message);
        this.kernel = kernel;
    }

    public String kernel() {
        return kernel;
    }
}

package io.numpywren.kernel;

/**
 * The BLAS/LAPACK operations the block kernels are built from, on column-major arrays with
 * offsets and leading dimensions as in Fortran.
 *
 * <p>Implementations must provide the four primitives every library has (GEMM, Cholesky,
 * Householder QR, SVD values). The rest have portable defaults built on GEMM, so a library
 * that lacks them (JBLAS has no TRSM or DLARFT) still runs every kernel at close to
 * GEMM speed; a library that has them overrides the defaults with its native routines.
 */
public interface LinearAlgebra {

    /** Short name used in configuration: "netlib", "openblas" or "jblas". */
    String name();

    /** The name reports give: the configuration name, marked when the routines run in Java. */
    default String reportName() {
        return isNative() ? name() : name() + " (pure Java)";
    }

    /** What actually runs underneath (native library or Java fallback), for reports. */
    String implementation();

    /** True when the routines run in native code rather than in Java. */
    boolean isNative();

    /** C := alpha * op(A) * op(B) + beta * C, with op(X) = X or Xᵀ. */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
               double beta, double[] c, int cOff, int ldc);

    /**
     * Cholesky factorisation of the n x n matrix at {@code a} in place, using and overwriting
     * its lower triangle. Returns LAPACK's info: 0 on success, k > 0 when the leading minor
     * of order k is not positive definite.
     */
    int dpotrfLower(int n, double[] a, int lda);

    /**
     * Householder QR of the m x n matrix at {@code a} in place (LAPACK DGEQRF): R on and
     * above the diagonal, the reflectors' vectors below it, their scalars in {@code tau}
     * (length min(m, n)).
     */
    void dgeqrf(int m, int n, double[] a, int lda, double[] tau);

    /**
     * Singular values of the m x n matrix at {@code a}, in descending order; {@code a} is
     * destroyed. Throws {@link KernelException} when the iteration does not converge.
     */
    double[] singularValues(int m, int n, double[] a, int lda);

    /**
     * C := alpha * A * Aᵀ + beta * C on the lower triangle of the n x n matrix C (A is n x k);
     * the strictly upper triangle of C is left as it was (BLAS DSYRK, lower, no transpose).
     * The default recurses on halves so that most of the flops are GEMMs on off-diagonal blocks.
     */
    default void dsyrkLower(int n, int k, double alpha, double[] a, int aOff, int lda,
                            double beta, double[] c, int cOff, int ldc) {
        PortableRoutines.syrkLower(this, n, k, alpha, a, aOff, lda, beta, c, cOff, ldc);
    }

    /**
     * B := op(A) B for the m x m triangular A (non-unit diagonal) and the m x n matrix B (BLAS
     * DTRMM, left side, alpha 1). The default multiplies by a dense copy of the triangle.
     */
    default void dtrmmLeft(boolean upper, boolean transA, int m, int n, double[] a, int aOff, int lda,
                           double[] b, int bOff, int ldb) {
        PortableRoutines.trmmLeft(this, upper, transA, m, n, a, aOff, lda, b, bOff, ldb);
    }

    /**
     * Solves op(A) X = B (left) or X op(A) = B (right) for X, overwriting B (m x n), where A
     * is triangular with a non-unit diagonal. The default is a blocked solve whose updates
     * are GEMMs.
     */
    default void dtrsm(boolean left, boolean lower, boolean transA, int m, int n,
                       double[] a, int lda, double[] b, int ldb) {
        PortableRoutines.trsm(this, left, lower, transA, m, n, a, lda, b, ldb);
    }

    /**
     * The k x k upper triangular factor T of the compact-WY form H = I - V T Vᵀ of k
     * reflectors (LAPACK DLARFT, forward, columnwise). {@code v} holds the explicit unit
     * lower trapezoidal m x k matrix V. The default builds T recursively with GEMMs, which is
     * faster than LAPACK's level-2 DLARFT for the hundreds of reflectors of a block.
     */
    default void dlarft(int m, int k, double[] v, int ldv, double[] tau, double[] t, int ldt) {
        PortableRoutines.larft(this, m, k, v, ldv, tau, t, ldt);
    }

    /**
     * Singular values of the n x n upper banded matrix with {@code ku} superdiagonals, given
     * in LAPACK band storage: {@code ab[(ku + i - j) + j * ldab] = A[i][j]}. The default
     * expands it to a dense matrix.
     */
    default double[] bandSingularValues(int n, int ku, double[] ab, int ldab) {
        double[] dense = new double[Math.multiplyExact(n, n)];
        for (int j = 0; j < n; j++) {
            for (int i = Math.max(0, j - ku); i <= j; i++) {
                dense[i + j * n] = ab[(ku + i - j) + j * ldab];
            }
        }
        return singularValues(n, n, dense, Math.max(1, n));
    }
}

package io.numpywren.kernel;

import org.jblas.NativeBlas;
import org.jblas.util.Logger;

/**
 * JBLAS: BLAS and LAPACK built into its own jar (natives for common platforms). Its Linux amd64
 * build needs {@code libgfortran.so.5}, which the jar does not carry (it ships an older
 * {@code libgfortran.so.4}), so the gfortran runtime bundled with OpenBLAS is loaded first: then
 * JBLAS works on a machine with nothing installed. It lacks TRSM, DLARFT and the band routines;
 * those use the GEMM-based defaults of {@link LinearAlgebra}.
 */
public final class JblasLinearAlgebra implements LinearAlgebra {

    private JblasLinearAlgebra() {
    }

    /** Loads JBLAS's bundled natives, or throws with the reason. */
    static JblasLinearAlgebra load() {
        // JBLAS prints what it loads, and every failed attempt, to stderr; the reasons reach the
        // user through the exception below instead.
        Logger.getLogger().setLevel(Logger.ERROR + 1);
        String runtime;
        try {
            BundledNatives.loadGfortranRuntime();
            runtime = null;
        } catch (IllegalStateException noBundledRuntime) {
            runtime = noBundledRuntime.getMessage();
        }
        try {
            double[] c = new double[1];
            NativeBlas.dgemm('N', 'N', 1, 1, 1, 1.0, new double[] {2.0}, 0, 1, new double[] {3.0}, 0, 1, 0.0, c, 0, 1);
            if (c[0] != 6.0) {
                throw new IllegalStateException("JBLAS self-test computed 2*3 = " + c[0]);
            }
        } catch (LinkageError | RuntimeException e) {
            throw new IllegalStateException("JBLAS's native library did not load (" + e
                    + (runtime == null ? "" : "; " + runtime) + ")", e);
        }
        return new JblasLinearAlgebra();
    }

    @Override
    public String name() {
        return "jblas";
    }

    @Override
    public String implementation() {
        return "JBLAS 1.2.5 (bundled native ATLAS/LAPACK; TRSM and compact-WY via GEMM)";
    }

    @Override
    public boolean isNative() {
        return true;
    }

    private static char t(boolean transpose) {
        return transpose ? 'T' : 'N';
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            // Reference BLAS scales C by beta when k = 0; do the same without a native call.
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    c[cOff + i + j * ldc] *= beta;
                }
            }
            return;
        }
        NativeBlas.dgemm(t(transA), t(transB), m, n, k, alpha, a, aOff, Math.max(1, lda), b, bOff, Math.max(1, ldb),
                beta, c, cOff, Math.max(1, ldc));
    }

    @Override
    public int dpotrfLower(int n, double[] a, int lda) {
        if (n == 0) {
            return 0;
        }
        return NativeBlas.dpotrf('L', n, a, 0, Math.max(1, lda));
    }

    @Override
    public void dgeqrf(int m, int n, double[] a, int lda, double[] tau) {
        if (m == 0 || n == 0) {
            return;
        }
        int info = NativeBlas.dgeqrf(m, n, a, 0, Math.max(1, lda), tau, 0);
        if (info < 0) {
            throw new IllegalArgumentException("dgeqrf rejected argument " + (-info));
        }
    }

    @Override
    public double[] singularValues(int m, int n, double[] a, int lda) {
        int k = Math.min(m, n);
        double[] s = new double[k];
        if (k == 0) {
            return s;
        }
        double[] none = new double[1];
        int info = NativeBlas.dgesvd('N', 'N', m, n, a, 0, Math.max(1, lda), s, 0, none, 0, 1, none, 0, 1);
        if (info > 0) {
            throw new KernelException("singular_values", "the SVD iteration did not converge (dgesvd info " + info + ")");
        }
        if (info < 0) {
            throw new IllegalArgumentException("dgesvd rejected argument " + (-info));
        }
        return s;
    }
}

package io.numpywren.kernel;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;
import org.netlib.util.intW;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * dev.ludovic.netlib: the machine's own BLAS and LAPACK (OpenBLAS on Debian when installed)
 * through JNI, with every routine the kernels use available natively. Without a native
 * library netlib falls back to Java, which {@link #isNative()} reports.
 *
 * <p>DLARFT is the one routine left to the portable default: LAPACK's is level-2 and ran 2.5–7x
 * slower here than the GEMM-based recursive version for 512–2048 reflectors.
 */
public final class NetlibLinearAlgebra implements LinearAlgebra {
    /** Held so that the level set below is not lost when the logger is collected. */
    private static final Logger NETLIB_LOGGER = Logger.getLogger("dev.ludovic.netlib");

    static {
        // netlib logs which implementation it loaded at INFO; reports name the provider instead.
        NETLIB_LOGGER.setLevel(Level.WARNING);
    }

    private final BLAS blas;
    private final LAPACK lapack;
    private final boolean nativeBlas;
    private final boolean nativeLapack;

    private NetlibLinearAlgebra(BLAS blas, LAPACK lapack, boolean nativeBlas, boolean nativeLapack) {
        this.blas = blas;
        this.lapack = lapack;
        this.nativeBlas = nativeBlas;
        this.nativeLapack = nativeLapack;
    }

    /** The native JNI binding; throws with the reason when the machine has no BLAS/LAPACK. */
    public static NetlibLinearAlgebra loadNative() {
        NativeBLAS nb;
        NativeLAPACK nl;
        try {
            nb = NativeBLAS.getInstance();
            nl = NativeLAPACK.getInstance();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("netlib could not load a native BLAS/LAPACK (install Debian's "
                    + "libopenblas0-pthread): " + e.getMessage(), e);
        }
        return new NetlibLinearAlgebra(nb, nl, true, true);
    }

    /** Whatever netlib picks: native when it loads, else its Java implementation. */
    public static NetlibLinearAlgebra loadAny() {
        BLAS b = BLAS.getInstance();
        LAPACK l = LAPACK.getInstance();
        return new NetlibLinearAlgebra(b, l, b instanceof NativeBLAS, l instanceof NativeLAPACK);
    }

    @Override
    public String name() {
        return "netlib";
    }

    @Override
    public boolean isNative() {
        return nativeBlas && nativeLapack;
    }

    @Override
    public String implementation() {
        String library = nativeBlas ? "native " + nativeLibraryDescription() : "Java " + blas.getClass().getSimpleName();
        return "dev.ludovic.netlib (" + library + "; LAPACK " + (nativeLapack ? "native" : "Java "
                + lapack.getClass().getSimpleName()) + ")";
    }

    /** Names the shared library behind libblas.so.3, which Debian's alternatives point at OpenBLAS. */
    private static String nativeLibraryDescription() {
        String lib = System.getProperty("dev.ludovic.netlib.blas.nativeLib", "libblas.so.3");
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            Path p = Path.of(dir, lib);
            if (Files.exists(p)) {
                try {
                    return lib + " -> " + p.toRealPath();
                } catch (java.io.IOException e) {
                    return lib;
                }
            }
        }
        return lib;
    }

    private static String t(boolean transpose) {
        return transpose ? "T" : "N";
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        blas.dgemm(t(transA), t(transB), m, n, k, alpha, a, aOff, Math.max(1, lda), b, bOff, Math.max(1, ldb),
                beta, c, cOff, Math.max(1, ldc));
    }

    @Override
    public int dpotrfLower(int n, double[] a, int lda) {
        intW info = new intW(0);
        lapack.dpotrf("L", n, a, Math.max(1, lda), info);
        return info.val;
    }

    @Override
    public void dgeqrf(int m, int n, double[] a, int lda, double[] tau) {
        if (m == 0 || n == 0) {
            return;
        }
        intW info = new intW(0);
        double[] query = new double[1];
        lapack.dgeqrf(m, n, a, Math.max(1, lda), tau, query, -1, info);
        int lwork = Math.max(1, (int) query[0]);
        lapack.dgeqrf(m, n, a, Math.max(1, lda), tau, new double[lwork], lwork, info);
        check("dgeqrf", info);
    }

    @Override
    public double[] singularValues(int m, int n, double[] a, int lda) {
        int k = Math.min(m, n);
        double[] s = new double[k];
        if (k == 0) {
            return s;
        }
        intW info = new intW(0);
        double[] query = new double[1];
        int[] iwork = new int[8 * k];
        double[] none = new double[1];
        lapack.dgesdd("N", m, n, a, Math.max(1, lda), s, none, 1, none, 1, query, -1, iwork, info);
        int lwork = Math.max(1, (int) query[0]);
        lapack.dgesdd("N", m, n, a, Math.max(1, lda), s, none, 1, none, 1, new double[lwork], lwork, iwork, info);
        if (info.val > 0) {
            throw new KernelException("singular_values", "the SVD iteration did not converge (dgesdd info " + info.val + ")");
        }
        check("dgesdd", info);
        return s;
    }

    @Override
    public void dsyrkLower(int n, int k, double alpha, double[] a, int aOff, int lda,
                           double beta, double[] c, int cOff, int ldc) {
        if (n == 0) {
            return;
        }
        blas.dsyrk("L", "N", n, k, alpha, a, aOff, Math.max(1, lda), beta, c, cOff, Math.max(1, ldc));
    }

    @Override
    public void dtrmmLeft(boolean upper, boolean transA, int m, int n, double[] a, int aOff, int lda,
                          double[] b, int bOff, int ldb) {
        if (m == 0 || n == 0) {
            return;
        }
        blas.dtrmm("L", upper ? "U" : "L", t(transA), "N", m, n, 1.0, a, aOff, Math.max(1, lda), b, bOff,
                Math.max(1, ldb));
    }

    @Override
    public void dtrsm(boolean left, boolean lower, boolean transA, int m, int n,
                      double[] a, int lda, double[] b, int ldb) {
        if (m == 0 || n == 0) {
            return;
        }
        blas.dtrsm(left ? "L" : "R", lower ? "L" : "U", t(transA), "N", m, n, 1.0, a, Math.max(1, lda), b, Math.max(1, ldb));
    }

    @Override
    public double[] bandSingularValues(int n, int ku, double[] ab, int ldab) {
        if (n == 0) {
            return new double[0];
        }
        if (n == 1) {
            return new double[] {Math.abs(ab[ku])}; // netlib's bounds checks reject the empty superdiagonal
        }
        double[] band = ab.clone(); // dgbbrd overwrites its input
        double[] d = new double[n];
        double[] e = new double[Math.max(1, n - 1)];
        double[] none = new double[1];
        intW info = new intW(0);
        lapack.dgbbrd("N", n, n, 0, 0, ku, band, ldab, d, e, none, 1, none, 1, none, 1,
                new double[2 * n], info);
        check("dgbbrd", info);
        lapack.dbdsqr("U", n, 0, 0, 0, d, e, none, 1, none, 1, none, 1, new double[4 * n], info);
        if (info.val > 0) {
            throw new KernelException("band_singular_values", "the bidiagonal SVD did not converge (dbdsqr info "
                    + info.val + ")");
        }
        check("dbdsqr", info);
        return d;
    }

    private static void check(String routine, intW info) {
        if (info.val < 0) {
            throw new IllegalArgumentException(routine + " rejected argument " + (-info.val));
        }
    }
}

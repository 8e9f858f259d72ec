package io.numpywren.kernel;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;
import org.netlib.util.intW;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * dev.ludovic.netlib's binding: BLAS and LAPACK through JNI, with every routine the kernels use
 * available natively and zero-copy (the arrays are pinned, not copied, for the call). It serves two
 * providers: {@code netlib}, on the machine's own libraries (OpenBLAS on Debian when installed, or
 * whatever tuned BLAS the user put behind {@code libblas.so.3}), and {@code openblas}, on the
 * OpenBLAS bundled from Maven, through a second copy of the binding in a class loader of its own
 * ({@link IsolatedNetlib}), since netlib binds one library per class loader. Without a native library
 * netlib falls back to Java, which {@link #isNative()} reports.
 *
 * <p>DLARFT is the one routine left to the portable default: LAPACK's is level-2 and ran 2.5–7x
 * slower here than the GEMM-based recursive version for 512–2048 reflectors.
 */
public final class NetlibLinearAlgebra implements LinearAlgebra {
    /** Held so that the level set below is not lost when the logger is collected. */
    private static final Logger NETLIB_LOGGER = Logger.getLogger("dev.ludovic.netlib");

    private static final String[] BINDING_PROPERTIES = {
        "dev.ludovic.netlib.blas.nativeLibPath", "dev.ludovic.netlib.lapack.nativeLibPath",
        "dev.ludovic.netlib.blas.allowNative", "dev.ludovic.netlib.lapack.allowNative"};

    static {
        // netlib logs which implementation it loaded at INFO; reports name the provider instead.
        NETLIB_LOGGER.setLevel(Level.WARNING);
    }

    private final String name;
    private final String description;
    private final BLAS blas;
    private final LAPACK lapack;
    private final boolean nativeBlas;
    private final boolean nativeLapack;

    private NetlibLinearAlgebra(String name, String description, BLAS blas, LAPACK lapack) {
        this.name = name;
        this.blas = blas;
        this.lapack = lapack;
        this.nativeBlas = blas instanceof NativeBLAS;
        this.nativeLapack = lapack instanceof NativeLAPACK;
        this.description = description;
    }

    /**
     * The binding on the system's libraries, which {@link SystemBlas} has already found and loaded
     * (so netlib's own attempt, which prints to the process's stderr when it fails, cannot fail).
     */
    static NetlibLinearAlgebra loadSystem(String libraries) {
        try {
            return new NetlibLinearAlgebra("netlib", "dev.ludovic.netlib on the system's " + libraries,
                    NativeBLAS.getInstance(), NativeLAPACK.getInstance());
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("netlib could not bind the system's " + libraries + ": " + e.getMessage(), e);
        }
    }

    /**
     * netlib's pure-Java implementation, reached without its native attempt when {@link SystemBlas}
     * found no library to load (that attempt would print a dlopen error to stderr).
     */
    static NetlibLinearAlgebra loadPureJava() {
        for (String library : new String[] {"blas", "lapack"}) {
            String key = "dev.ludovic.netlib." + library + ".allowNative";
            if (System.getProperty(key) == null) {
                System.setProperty(key, "false");
            }
        }
        BLAS b = BLAS.getInstance();
        LAPACK l = LAPACK.getInstance();
        return new NetlibLinearAlgebra("netlib", "dev.ludovic.netlib (BLAS " + kind(b, b instanceof NativeBLAS)
                + "; LAPACK " + kind(l, l instanceof NativeLAPACK) + ")", b, l);
    }

    private static String kind(Object implementation, boolean isNative) {
        return (isNative ? "native " : "Java ") + implementation.getClass().getSimpleName();
    }

    /**
     * Binds this class's copy of netlib to {@code libraryPath}, which holds both BLAS and LAPACK. Called
     * reflectively inside an {@link IsolatedNetlib} loader, whose netlib classes are initialised here
     * for the first time; the caller holds the lock that serialises every netlib initialisation, since
     * netlib reads where to bind from system properties, which this sets only for the moment it binds.
     */
    public static LinearAlgebra bindIsolated(String providerName, String libraryPath, String description) {
        String[] saved = new String[BINDING_PROPERTIES.length];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = System.getProperty(BINDING_PROPERTIES[i]);
            System.setProperty(BINDING_PROPERTIES[i], i < 2 ? libraryPath : "true");
        }
        try {
            return new NetlibLinearAlgebra(providerName, description, NativeBLAS.getInstance(), NativeLAPACK.getInstance());
        } finally {
            for (int i = 0; i < saved.length; i++) {
                if (saved[i] == null) {
                    System.clearProperty(BINDING_PROPERTIES[i]);
                } else {
                    System.setProperty(BINDING_PROPERTIES[i], saved[i]);
                }
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean isNative() {
        return nativeBlas && nativeLapack;
    }

    @Override
    public String implementation() {
        return description;
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

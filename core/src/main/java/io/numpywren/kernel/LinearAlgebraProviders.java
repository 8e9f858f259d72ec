package io.numpywren.kernel;

import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses the BLAS/LAPACK provider.
 * <ul>
 *   <li>{@code netlib}: the machine's own BLAS and LAPACK ({@code libblas.so.3}, {@code liblapack.so.3}:
 *       OpenBLAS, MKL or another tuned library a user installed) through netlib's JNI binding; without
 *       one, netlib's pure-Java code, with a warning.</li>
 *   <li>{@code openblas}: OpenBLAS bundled from Maven ({@code org.bytedeco:openblas}, with its own
 *       gfortran runtime), so native kernels need nothing from the machine.</li>
 *   <li>{@code jblas}: JBLAS's bundled natives (slower: an SSE3 build of ATLAS).</li>
 *   <li>{@code auto} (the default): the first of netlib on a system library, the bundled OpenBLAS,
 *       JBLAS that loads; only when none does, netlib's pure Java, and never in silence.</li>
 * </ul>
 * The choice comes from the system property {@value #PROPERTY} or the environment variable
 * {@value #ENV}. A provider that cannot load says why; no native library's own error output reaches
 * the terminal when a library is simply absent.
 */
public final class LinearAlgebraProviders {
    public static final String PROPERTY = "numpywren.kernel.provider";
    public static final String ENV = "NUMPYWREN_KERNEL_PROVIDER";
    public static final List<String> CHOICES = List.of("auto", "netlib", "openblas", "jblas");
    /** The native providers, in the order {@code auto} tries them. */
    public static final List<String> NATIVE = List.of("netlib", "openblas", "jblas");
    /** What a cloud worker's artifact can run: it bundles OpenBLAS, and netlib finds a system BLAS; JBLAS is left out. */
    public static final List<String> FOR_FUNCTIONS = List.of("auto", "openblas", "netlib");

    /**
     * Null if a function's artifact can run {@code choice}, else the problem, naming the setting.
     *
     * @param artifact how the problem names the artifact ("the worker jar", "the function's jar")
     */
    public static String functionChoiceProblem(String choice, String artifact) {
        return FOR_FUNCTIONS.contains(choice) ? null
                : "kernel-provider must be auto, openblas or netlib (" + artifact + " carries no JBLAS), got '" + choice + "'";
    }

    /** Loaded providers and the reasons of those that failed, by name; guarded by the class lock. */
    private static final Map<String, LinearAlgebra> LOADED = new HashMap<>();
    private static final Map<String, String> FAILED = new HashMap<>();
    private static boolean warnedPureJava;

    private LinearAlgebraProviders() {
    }

    /** The provider configured by {@value #PROPERTY} or {@value #ENV}, {@code auto} when neither is set. */
    public static LinearAlgebra configured() {
        String choice = System.getProperty(PROPERTY);
        if (choice == null || choice.isBlank()) {
            choice = System.getenv(ENV);
        }
        return select(choice == null || choice.isBlank() ? "auto" : choice);
    }

    /**
     * The provider named {@code choice} (auto, netlib, openblas or jblas, in any case). Throws
     * {@link IllegalArgumentException} for an unknown name and {@link IllegalStateException}, with the
     * reason, for a native provider that cannot load here.
     */
    public static synchronized LinearAlgebra select(String choice) {
        String key = choice.trim().toLowerCase(Locale.ROOT);
        if (!CHOICES.contains(key)) {
            throw new IllegalArgumentException("unknown kernel provider '" + choice + "' (choose one of "
                    + String.join(", ", CHOICES) + ")");
        }
        LinearAlgebra loaded = LOADED.get(key);
        if (loaded != null) {
            return loaded;
        }
        String failed = FAILED.get(key);
        if (failed != null) {
            throw new IllegalStateException(failed);
        }
        try {
            LinearAlgebra provider = switch (key) {
                case "auto" -> fastest();
                case "netlib" -> netlib();
                case "openblas" -> bundledOpenBlas();
                default -> JblasLinearAlgebra.load();
            };
            LOADED.put(key, provider);
            return provider;
        } catch (IllegalStateException | LinkageError e) {
            String reason = key + ": " + reason(e);
            FAILED.put(key, reason);
            throw new IllegalStateException(reason, e);
        }
    }

    /** Why each native provider that does not load here failed, by name (empty when all load). */
    public static synchronized Map<String, String> unavailable() {
        Map<String, String> reasons = new LinkedHashMap<>();
        for (String name : NATIVE) {
            String reason = whyNotNative(name);
            if (reason != null) {
                reasons.put(name, reason);
            }
        }
        return reasons;
    }

    /** Every provider that loads natively here (for side-by-side tests and benchmarks), in {@code auto}'s order. */
    public static synchronized List<LinearAlgebra> availableNative() {
        List<LinearAlgebra> found = new ArrayList<>();
        for (String name : NATIVE) {
            if (whyNotNative(name) == null) {
                found.add(select(name));
            }
        }
        return found;
    }

    /** Null when {@code name} loads natively here, else why not (without falling back to, or warning about, Java). */
    private static String whyNotNative(String name) {
        if (name.equals("netlib") && !SystemBlas.probe().loaded()) {
            return SystemBlas.probe().reason();
        }
        try {
            LinearAlgebra la = select(name);
            return la.isNative() ? null : name + " loaded its Java implementation";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private static LinearAlgebra netlib() {
        SystemBlas.Probe system = SystemBlas.probe();
        if (system.loaded()) {
            return NetlibLinearAlgebra.loadSystem(system.libraries());
        }
        warnPureJava("the system has no BLAS for netlib (" + system.reason() + "); kernel provider auto or openblas "
                + "would use the OpenBLAS bundled with numpywren");
        return NetlibLinearAlgebra.loadPureJava();
    }

    private static LinearAlgebra bundledOpenBlas() {
        File library;
        try {
            library = BundledNatives.loadOpenBlas();
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException(BundledNatives.GROUP_ARTIFACT + " (with org.bytedeco:javacpp) is not on the class path", e);
        }
        return IsolatedNetlib.bind("openblas", library, "OpenBLAS bundled from Maven (" + BundledNatives.GROUP_ARTIFACT + ":"
                + BundledNatives.version() + ", " + library.getParentFile().getName() + ") through netlib's JNI");
    }

    private static LinearAlgebra fastest() {
        List<String> reasons = new ArrayList<>();
        SystemBlas.Probe system = SystemBlas.probe();
        if (system.loaded()) {
            try {
                return select("netlib");
            } catch (IllegalStateException e) {
                reasons.add(e.getMessage());
            }
        } else {
            reasons.add("netlib: " + system.reason());
        }
        for (String name : List.of("openblas", "jblas")) {
            try {
                return select(name);
            } catch (IllegalStateException e) {
                reasons.add(e.getMessage());
            }
        }
        warnPureJava("no native BLAS loads here (" + String.join("; ", reasons) + ")");
        return NetlibLinearAlgebra.loadPureJava();
    }

    /**
     * One line on stderr, once per JVM. The cost is measured here: netlib's Java kernels ran 10-15x
     * slower than the bundled OpenBLAS on one core (gemm, trsm, chol at blocks 512-1024), its DGEMM
     * 2048 40x slower than OpenBLAS's on two.
     */
    private static void warnPureJava(String reason) {
        if (!warnedPureJava) {
            warnedPureJava = true;
            System.err.println("numpywren: warning: block kernels run on netlib's pure-Java BLAS, 10 to 40 times slower "
                    + "than native; " + reason);
        }
    }

    private static String reason(Throwable e) {
        if (e instanceof NoClassDefFoundError) {
            return "its classes are not on the class path (" + e.getMessage() + ")";
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}

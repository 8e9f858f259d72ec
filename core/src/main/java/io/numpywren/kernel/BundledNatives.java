package io.numpywren.kernel;

import org.bytedeco.javacpp.Loader;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Properties;

/**
 * The OpenBLAS that travels with numpywren: {@code org.bytedeco:openblas}'s platform jar carries
 * {@code libopenblas.so.0} (BLAS and LAPACK) with the gfortran runtime it needs ({@code libgfortran.so.5},
 * {@code libquadmath.so.0}), so a machine with nothing installed, a cloud function's above all, still
 * runs native kernels. JavaCPP's loader copies the files out of the jar into its cache directory
 * ({@code ~/.javacpp/cache}, or under {@code java.io.tmpdir} where the home directory is read-only,
 * as on a cloud function); they are then loaded here, dependencies first, by their full paths.
 *
 * <p>Only the shared libraries are used, not JavaCPP's own Java API for them: that API copies every
 * Java array in and out of native memory on each call (15 ms per 1024 x 1024 DGEMM here, a quarter
 * of the call), where netlib's binding pins them.
 */
final class BundledNatives {
    static final String GROUP_ARTIFACT = "org.bytedeco:openblas";
    private static final String[] GFORTRAN_RUNTIME = {"libquadmath.so.0", "libgfortran.so.5"};
    private static final String OPENBLAS = "libopenblas.so.0";

    private static String gfortranFailure;
    private static boolean gfortranLoaded;
    private static File openblas;
    private static String openblasFailure;

    private BundledNatives() {
    }

    /** The platform's resource folder in the openblas jar, e.g. {@code org/bytedeco/openblas/linux-x86_64/}. */
    private static String folder() {
        return "org/bytedeco/openblas/" + Loader.getPlatform() + "/";
    }

    /**
     * Loads the bundled gfortran runtime ({@code libgfortran.so.5} and {@code libquadmath.so.0}), which
     * JBLAS's Linux build needs and does not carry itself; throws with the reason when it cannot.
     */
    static synchronized void loadGfortranRuntime() {
        if (gfortranLoaded) {
            return;
        }
        if (gfortranFailure != null) {
            throw new IllegalStateException(gfortranFailure);
        }
        // The system's BLAS, if any, loads first: Debian's libblas.so.3 asks for libopenblas.so.0 and
        // libgfortran.so.5 by name, and would be handed the bundled copies if they were loaded before
        // it, so that "netlib" would silently run the bundled library.
        SystemBlas.probe();
        try {
            for (String library : GFORTRAN_RUNTIME) {
                System.load(extract(library).getAbsolutePath());
            }
            gfortranLoaded = true;
        } catch (IllegalStateException | LinkageError e) {
            gfortranFailure = "the bundled gfortran runtime did not load: " + e.getMessage();
            throw new IllegalStateException(gfortranFailure, e);
        }
    }

    /** Loads the bundled OpenBLAS and its runtime, and returns its file; throws with the reason when it cannot. */
    static synchronized File loadOpenBlas() {
        if (openblas != null) {
            return openblas;
        }
        if (openblasFailure != null) {
            throw new IllegalStateException(openblasFailure);
        }
        try {
            loadGfortranRuntime();
            File library = extract(OPENBLAS);
            System.load(library.getAbsolutePath());
            openblas = library;
            return library;
        } catch (IllegalStateException | LinkageError e) {
            openblasFailure = e.getMessage();
            throw new IllegalStateException(openblasFailure, e);
        }
    }

    private static File extract(String library) {
        String resource = folder() + library;
        URL url = BundledNatives.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalStateException("no " + library + " for " + Loader.getPlatform() + " on the class path (add "
                    + GROUP_ARTIFACT + ":" + version() + ":" + Loader.getPlatform() + ")");
        }
        try {
            return Loader.cacheResource(url);
        } catch (IOException e) {
            throw new IllegalStateException("could not copy " + resource + " out of its jar: " + e.getMessage(), e);
        }
    }

    /** The version of the openblas jar on the class path, from its Maven metadata. */
    static String version() {
        try (InputStream in = BundledNatives.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.bytedeco/openblas/pom.properties")) {
            if (in == null) {
                return "unknown version";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown version");
        } catch (IOException e) {
            return "unknown version";
        }
    }
}

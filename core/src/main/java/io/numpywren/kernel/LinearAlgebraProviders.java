package io.numpywren.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Chooses the BLAS/LAPACK provider. {@code auto} (the default) takes the fastest that loads:
 * netlib on a native library (OpenBLAS here), else JBLAS's bundled natives, else netlib's Java
 * fallback. {@code netlib} or {@code jblas} forces one, through the system property
 * {@value #PROPERTY} or the environment variable {@value #ENV}.
 */
public final class LinearAlgebraProviders {
    public static final String PROPERTY = "numpywren.kernel.provider";
    public static final String ENV = "NUMPYWREN_KERNEL_PROVIDER";
    public static final List<String> CHOICES = List.of("auto", "netlib", "jblas");

    private static final ConcurrentHashMap<String, LinearAlgebra> LOADED = new ConcurrentHashMap<>();

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

    /** The provider named {@code choice}: auto, netlib or jblas. */
    public static LinearAlgebra select(String choice) {
        String key = choice.trim().toLowerCase(Locale.ROOT);
        Supplier<LinearAlgebra> loader = switch (key) {
            case "auto" -> LinearAlgebraProviders::fastest;
            case "netlib" -> NetlibLinearAlgebra::loadAny;
            case "jblas" -> JblasLinearAlgebra::load;
            default -> throw new IllegalArgumentException("unknown kernel provider '" + choice + "' (choose one of "
                    + String.join(", ", CHOICES) + ")");
        };
        return LOADED.computeIfAbsent(key, k -> loader.get());
    }

    private static LinearAlgebra fastest() {
        try {
            return NetlibLinearAlgebra.loadNative();
        } catch (IllegalStateException noNativeBlas) {
            try {
                return JblasLinearAlgebra.load();
            } catch (IllegalStateException noJblas) {
                return NetlibLinearAlgebra.loadAny();
            }
        }
    }

    /** Every provider that loads natively here (for side-by-side tests and benchmarks). */
    public static List<LinearAlgebra> availableNative() {
        List<LinearAlgebra> found = new ArrayList<>();
        for (String name : List.of("netlib", "jblas")) {
            try {
                LinearAlgebra la = select(name);
                if (la.isNative()) {
                    found.add(la);
                }
            } catch (IllegalStateException unavailable) {
                // not on this machine
            }
        }
        return found;
    }
}

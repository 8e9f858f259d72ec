package io.numpywren.kernel;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A class loader that holds a second copy of netlib's binding (and of {@link NetlibLinearAlgebra}),
 * so that it can bind a library of our choosing while the ordinary copy binds the system's: netlib's
 * JNI glue keeps the library it bound in native globals, one set per loaded copy of the glue, and
 * each class loader loads its own copy. Everything else, {@link LinearAlgebra} above all, comes from
 * the parent, so the instance it makes is an ordinary provider to its callers.
 */
final class IsolatedNetlib extends URLClassLoader {
    private static final String BINDING = NetlibLinearAlgebra.class.getName();

    static {
        registerAsParallelCapable();
    }

    private IsolatedNetlib(URL[] urls, ClassLoader parent) {
        super("numpywren-isolated-netlib", urls, parent);
    }

    /**
     * A netlib provider named {@code name} bound to the library at {@code library}, which must hold
     * both BLAS and LAPACK. The caller serialises netlib initialisations (see
     * {@link NetlibLinearAlgebra#bindIsolated}).
     */
    static LinearAlgebra bind(String name, File library, String description) {
        Set<URL> urls = new LinkedHashSet<>();
        for (Class<?> c : new Class<?>[] {NetlibLinearAlgebra.class, dev.ludovic.netlib.blas.BLAS.class,
                dev.ludovic.netlib.lapack.LAPACK.class, org.netlib.util.intW.class}) {
            urls.add(location(c));
        }
        IsolatedNetlib loader = new IsolatedNetlib(urls.toArray(URL[]::new), NetlibLinearAlgebra.class.getClassLoader());
        try {
            Class<?> binding = Class.forName(BINDING, true, loader);
            Object provider = binding.getMethod("bindIsolated", String.class, String.class, String.class)
                    .invoke(null, name, library.getAbsolutePath(), description);
            return (LinearAlgebra) provider;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalStateException("netlib could not bind " + library + ": " + cause, cause);
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("netlib's binding could not be loaded a second time: " + e, e);
        }
    }

    private static URL location(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot tell where " + c.getName() + " was loaded from");
        }
        try {
            // Normalised, so that classes from one jar give one URL.
            return new File(source.getLocation().toURI()).toURI().toURL();
        } catch (URISyntaxException | java.net.MalformedURLException | IllegalArgumentException e) {
            return source.getLocation();
        }
    }

    private static boolean ownCopy(String className) {
        return className.startsWith("dev.ludovic.netlib.") || className.startsWith("org.netlib.")
                || className.equals(BINDING) || className.startsWith(BINDING + "$");
    }

    @Override
    protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
        if (!ownCopy(className)) {
            return super.loadClass(className, resolve);
        }
        synchronized (getClassLoadingLock(className)) {
            Class<?> c = findLoadedClass(className);
            if (c == null) {
                c = findClass(className);
            }
            if (resolve) {
                resolveClass(c);
            }
            return c;
        }
    }
}

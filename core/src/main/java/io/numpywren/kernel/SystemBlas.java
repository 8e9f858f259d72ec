package io.numpywren.kernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and loads the machine's own BLAS and LAPACK, the libraries netlib's JNI binding would bind
 * ({@code libblas.so.3} and {@code liblapack.so.3}, or what netlib's {@code nativeLib} and
 * {@code nativeLibPath} properties name), on the dynamic linker's search path. It does so quietly:
 * netlib's native loader prints its dlopen error to the process's stderr when a library is absent,
 * which a user should never see for something optional. Once both have loaded here, netlib's own
 * load of the same names finds them already in the process and cannot fail.
 */
final class SystemBlas {
    /** What the probe found: the libraries it loaded, or why there are none. */
    record Probe(boolean loaded, String libraries, String reason) {
    }

    private static Probe probe;

    private SystemBlas() {
    }

    /** Probes once per JVM; later calls return the first answer. */
    static synchronized Probe probe() {
        if (probe == null) {
            probe = run();
        }
        return probe;
    }

    private static Probe run() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return new Probe(false, null, "looking for a system BLAS is implemented for Linux only");
        }
        List<String> loaded = new ArrayList<>();
        for (String library : new String[] {"blas", "lapack"}) {
            String property = "dev.ludovic.netlib." + library + ".nativeLib";
            String name = System.getProperty(property, "lib" + library + ".so.3");
            String explicit = System.getProperty(property + "Path");
            Optional<Path> found = explicit != null ? Optional.of(Path.of(explicit)).filter(Files::exists) : find(name);
            if (found.isEmpty()) {
                return new Probe(false, null, explicit != null ? explicit + " does not exist"
                        : "no " + name + " on the library path");
            }
            if (!isElfFile(found.get())) {
                return new Probe(false, null, found.get() + " is not a shared library");
            }
            try {
                System.load(found.get().toAbsolutePath().toString());
            } catch (UnsatisfiedLinkError | SecurityException e) {
                return new Probe(false, null, found.get() + " does not load (" + e.getMessage() + ")");
            }
            loaded.add(describe(name, found.get()));
        }
        return new Probe(true, String.join(" and ", loaded), null);
    }

    /** The first {@code name} on the dynamic linker's path: LD_LIBRARY_PATH, ld.so.conf, then the defaults. */
    static Optional<Path> find(String name) {
        for (Path dir : searchPath()) {
            Path candidate = dir.resolve(name);
            if (Files.exists(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Set<Path> searchPath() {
        Set<Path> dirs = new LinkedHashSet<>();
        String ldLibraryPath = System.getenv("LD_LIBRARY_PATH");
        if (ldLibraryPath != null) {
            for (String dir : ldLibraryPath.split(":")) {
                if (!dir.isBlank()) {
                    dirs.add(Path.of(dir));
                }
            }
        }
        readLdSoConf(Path.of("/etc/ld.so.conf"), dirs, 0);
        String multiarch = switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> "x86_64-linux-gnu";
            case "aarch64", "arm64" -> "aarch64-linux-gnu";
            default -> null;
        };
        if (multiarch != null) {
            dirs.add(Path.of("/lib", multiarch));
            dirs.add(Path.of("/usr/lib", multiarch));
        }
        for (String dir : new String[] {"/lib64", "/usr/lib64", "/lib", "/usr/lib"}) {
            dirs.add(Path.of(dir));
        }
        return dirs;
    }

    /** Directories listed in an ld.so.conf file, following its {@code include} globs (to a small depth). */
    private static void readLdSoConf(Path file, Set<Path> dirs, int depth) {
        if (depth > 4 || !Files.isRegularFile(file)) {
            return;
        }
        try {
            for (String raw : Files.readAllLines(file)) {
                String line = raw.replaceFirst("#.*", "").trim();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.startsWith("include ")) {
                    includeGlob(line.substring("include ".length()).trim(), dirs, depth);
                } else if (line.startsWith("/")) {
                    dirs.add(Path.of(line));
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // an unreadable configuration only narrows the search
        }
    }

    private static void includeGlob(String pattern, Set<Path> dirs, int depth) {
        Path glob = Path.of(pattern);
        Path parent = glob.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        var matcher = parent.getFileSystem().getPathMatcher("glob:" + glob.getFileName());
        try (Stream<Path> entries = Files.list(parent)) {
            entries.filter(p -> matcher.matches(p.getFileName())).sorted()
                    .forEach(p -> readLdSoConf(p, dirs, depth + 1));
        } catch (IOException unreadable) {
            // as above
        }
    }

    /** A regular file that starts as an ELF object does (which a hidden or truncated library does not). */
    private static boolean isElfFile(Path path) {
        if (!Files.isRegularFile(path)) {
            return false;
        }
        try (var in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** Names the file behind the name, which Debian's alternatives point at OpenBLAS, say. */
    private static String describe(String name, Path path) {
        try {
            return name + " -> " + path.toRealPath();
        } catch (IOException e) {
            return name + " (" + path + ")";
        }
    }
}

package io.numpywren.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts processes as a machine with nothing installed would run them, a cloud function above all:
 * without this machine's BLAS, LAPACK, OpenBLAS and gfortran runtime. The command runs in a private
 * mount namespace ({@code unshare -m}) where {@code /dev/null} is bind-mounted over each of those
 * library files, so a worker that needs them fails as it would there, and one that carries its own
 * natives shows that it does. Needs the right to create mount namespaces (root, as here and in CI);
 * tests skip with {@link #unavailableReason()} elsewhere.
 */
public final class BareMachine {
    /** File names of the libraries a fresh machine (and a cloud function) does not have. */
    private static final List<String> HIDDEN_PREFIXES = List.of("libblas.so", "liblapack.so", "libopenblas",
            "libgfortran.so", "libquadmath.so", "libcblas.so", "liblapacke.so");
    private static final List<Path> LIBRARY_DIRS = List.of(Path.of("/lib"), Path.of("/lib64"), Path.of("/usr/lib"),
            Path.of("/usr/lib64"), Path.of("/usr/local/lib"));

    private static Optional<String> unavailable;

    private BareMachine() {
    }

    /** Why processes cannot be started this way here, or empty when they can. */
    public static synchronized Optional<String> unavailableReason() {
        if (unavailable == null) {
            unavailable = probe();
        }
        return unavailable;
    }

    private static Optional<String> probe() {
        try {
            Process p = new ProcessBuilder("unshare", "-m", "true").redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("'unshare -m true' did not finish");
            }
            String output = new String(p.getInputStream().readAllBytes()).trim();
            return p.exitValue() == 0 ? Optional.empty()
                    : Optional.of("mount namespaces are not permitted here ('unshare -m true': " + output + ")");
        } catch (IOException e) {
            return Optional.of("unshare cannot be run here: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while checking for unshare");
        }
    }

    /** The files that are hidden: every such library under the usual library directories, resolved. */
    public static List<Path> hiddenLibraries() {
        TreeSet<Path> found = new TreeSet<>();
        for (Path dir : LIBRARY_DIRS) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir, 3)) {
                files.filter(BareMachine::isHiddenLibrary).forEach(p -> {
                    try {
                        found.add(p.toRealPath());
                    } catch (IOException dangling) {
                        // a broken link hides nothing
                    }
                });
            } catch (IOException | java.io.UncheckedIOException unreadable) {
                // a directory we cannot read holds nothing we could hide either
            }
        }
        return new ArrayList<>(found);
    }

    private static boolean isHiddenLibrary(Path path) {
        String name = path.getFileName().toString();
        return HIDDEN_PREFIXES.stream().anyMatch(name::startsWith) && name.contains(".so");
    }

    /**
     * {@code command} wrapped so that it runs with the libraries hidden. Fails, before the command
     * starts, if a library cannot be hidden.
     */
    public static List<String> wrap(List<String> command) {
        StringBuilder script = new StringBuilder("set -e; for f in");
        for (Path library : hiddenLibraries()) {
            script.append(" '").append(library.toString().replace("'", "'\\''")).append('\'');
        }
        script.append("; do mount --bind /dev/null \"$f\"; done; exec \"$@\"");
        List<String> wrapped = new ArrayList<>(List.of("unshare", "-m", "bash", "-c", script.toString(), "bare-machine"));
        wrapped.addAll(command);
        return wrapped;
    }
}

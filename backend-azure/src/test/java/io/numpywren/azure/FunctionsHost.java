package io.numpywren.azure;

import io.numpywren.tck.FunctionFrontEnd;
import io.numpywren.testing.Processes;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The function app as Azure runs it from a package: the app zip Maven builds, unpacked, served by
 * {@link FunctionsHostMain} in a JVM of its own with the app's settings as its environment and
 * nothing of this module on its class path but the host itself and the functions library.
 */
public final class FunctionsHost implements FunctionFrontEnd.Instance {
    private final Process process;
    private final int port;
    private final Path directory;
    private final String key;

    private FunctionsHost(Process process, int port, Path directory, String key) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.key = key;
    }

    /** The app zip {@code mvn package} built. */
    public static Path packagedApp() {
        return Path.of(System.getProperty("numpywren.function.app"));
    }

    public static FunctionsHost start(Path appZip, Map<String, String> settings, String functionKey)
            throws IOException, InterruptedException {
        return start(appZip, settings, functionKey, java.util.function.UnaryOperator.identity());
    }

    /** A host whose command is passed through {@code wrap} (core's BareMachine, say). */
    public static FunctionsHost start(Path appZip, Map<String, String> settings, String functionKey,
                                      java.util.function.UnaryOperator<List<String>> wrap)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("numpywren-function-app-");
        Path app = dir.resolve("wwwroot");
        unzip(appZip, app);
        int port = Processes.freePort();
        String classpath = System.getProperty("numpywren.host.classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("numpywren.host.classpath"))).trim();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-cp", classpath, FunctionsHostMain.class.getName(), app.toString(), Integer.toString(port),
                functionKey));
        ProcessBuilder pb = new ProcessBuilder(wrap.apply(command)).redirectErrorStream(true).redirectOutput(dir.resolve("host.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("NUMPYWREN_"));
        pb.environment().putAll(settings);
        pb.environment().put("WEBSITE_SITE_NAME", "numpywren-worker");
        FunctionsHost host = new FunctionsHost(pb.start(), port, dir, functionKey);
        Processes.awaitListening(host.process, port, "the host", host::output);
        return host;
    }

    private static void unzip(Path zip, Path target) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path p = target.resolve(e.getName()).normalize();
                if (!p.startsWith(target)) {
                    throw new IOException("zip entry outside the app: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(p);
                } else {
                    Files.createDirectories(p.getParent());
                    Files.copy(in, p); // this entry's bytes; the stream stays open for the next
                }
            }
        }
    }

    @Override
    public URI origin() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** The worker function's URL: {@code /api/task}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/api/" + WorkerFunction.NAME);
    }

    public String functionKey() {
        return key;
    }

    @Override
    public String output() throws IOException {
        return Files.readString(directory.resolve("host.log"));
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}

package io.numpywren.azure;

import io.numpywren.testing.Processes;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Azurite's Blob service (the real Blob protocol, from npm), started on a free loopback port with
 * a temporary directory and stopped with the JVM or {@link #close}. {@code .ci/run} installs it
 * ({@code npm install -g azurite@3.35.0}); {@code NUMPYWREN_AZURITE} may name the
 * {@code azurite-blob} executable instead. Where it is not installed, the tests that need it are
 * skipped, saying how to install it.
 */
public final class Azurite implements AutoCloseable {
    /** Azurite's published development account. */
    public static final String ACCOUNT = "devstoreaccount1";
    private static final String KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static Azurite shared;

    private final Process process;
    private final int port;
    private final Path directory;

    private Azurite(Process process, int port, Path directory) {
        this.process = process;
        this.port = port;
        this.directory = directory;
    }

    /** The executable, if installed. */
    public static Optional<Path> executable() {
        String named = System.getenv("NUMPYWREN_AZURITE");
        if (named != null && !named.isBlank()) {
            return Optional.of(Path.of(named)).filter(Files::isExecutable);
        }
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "azurite-blob")).filter(Files::isExecutable).findFirst();
    }

    /** One Azurite for the test JVM, started on first use; the calling test is skipped where none is installed. */
    public static synchronized Azurite shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = start();
            Azurite a = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(a::close, "azurite-stop"));
        }
        return shared;
    }

    public static Azurite start() throws IOException, InterruptedException {
        Path exe = executable().orElse(null);
        if (exe == null) {
            abort("Azurite is not installed: npm install -g azurite@3.35.0 (as .ci/run does), or set NUMPYWREN_AZURITE "
                    + "to its azurite-blob");
        }
        int port = Processes.freePort();
        Path dir = Files.createTempDirectory("numpywren-azurite-");
        Process p = new ProcessBuilder(List.of(exe.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                Integer.toString(port), "--location", dir.toString(), "--silent", "--skipApiVersionCheck", "--loose"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("azurite.log").toFile()).start();
        Azurite azurite = new Azurite(p, port, dir);
        try {
            Processes.awaitListening(p, port, "Azurite", () -> Files.readString(dir.resolve("azurite.log")));
        } catch (IOException | InterruptedException | RuntimeException e) {
            azurite.close();
            throw e;
        }
        return azurite;
    }

    /** The blob endpoint, with the account in its path as Azurite wants it. */
    public String blobEndpoint() {
        return "http://127.0.0.1:" + port + "/" + ACCOUNT;
    }

    /** The development connection string for this instance. */
    public String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY + ";BlobEndpoint="
                + blobEndpoint() + ";";
    }

    /** A store on a new container (created), below {@code prefix}. */
    public BlobBlockStore.Builder newContainer(String container) {
        BlobBlockStore.Builder b = BlobBlockStore.builder().container(container).connectionString(connectionString());
        b.build().containerClient().createIfNotExists();
        return b;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory: the system cleans it eventually
        }
    }
}

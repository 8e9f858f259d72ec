package io.numpywren.gcp;

import io.numpywren.tck.FunctionFrontEnd;
import io.numpywren.testing.Processes;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One instance of the worker function in a JVM of its own, run as Google runs a Java function:
 * the Functions Framework's invoker ({@code java-function-invoker}) with the function's code on
 * its class path (this module's classes and runtime dependencies, nothing from the tests) and the
 * function's environment.
 */
public final class FunctionInstance implements FunctionFrontEnd.Instance {
    /** By name: its interface is the runtime's, absent from a driver's class path. */
    private static final String WORKER_FUNCTION = "io.numpywren.gcp.WorkerFunction";

    private final Process process;
    private final int port;
    private final Path log;

    private FunctionInstance(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static FunctionInstance start(Map<String, String> environment) throws IOException, InterruptedException {
        String code = System.getProperty("numpywren.worker.classes") + java.io.File.pathSeparator
                + Files.readString(Path.of(System.getProperty("numpywren.worker.classpath"))).trim();
        return start(code, environment, java.util.function.UnaryOperator.identity());
    }

    /** An instance whose code is {@code code} (a class path), its command passed through {@code wrap} (BareMachine). */
    static FunctionInstance start(String code, Map<String, String> environment,
                                  java.util.function.UnaryOperator<List<String>> wrap)
            throws IOException, InterruptedException {
        String invoker = Files.readString(Path.of(System.getProperty("numpywren.invoker.classpath"))).trim();
        int port = Processes.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-jar", invoker, "--classpath", code, "--target", WORKER_FUNCTION,
                "--port", Integer.toString(port)));
        Path log = Files.createTempFile("numpywren-function-", ".log");
        ProcessBuilder pb = new ProcessBuilder(wrap.apply(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("NUMPYWREN_"));
        pb.environment().putAll(environment);
        pb.environment().put("K_SERVICE", "numpywren-worker");
        FunctionInstance instance = new FunctionInstance(pb.start(), port, log);
        Processes.awaitListening(instance.process, port, "the function", instance::output);
        return instance;
    }

    @Override
    public URI origin() {
        return url();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    @Override
    public String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(log);
    }
}

package io.numpywren.tck;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What stands between a caller and a function instance: the platform's front end (Cloud
 * Functions', Azure Functions'), here in front of one instance in a JVM of its own. It forwards
 * each request (path, query and headers) and can inject, per request and drawn from a seed, the
 * platform's faults: a 429 without running anything (no instance available); the instance's JVM
 * killed while it runs the task, the request then answered 503 and a new instance started (a
 * cold start) for what follows; and the answer dropped (the connection closed) after the worker
 * wrote.
 */
public final class FunctionFrontEnd implements AutoCloseable {
    /** One running instance of the function, as the front end needs it. */
    public interface Instance extends AutoCloseable {
        /** Where it listens: scheme, host and port; requests keep their own path. */
        URI origin();

        /** What it wrote to its log. */
        String output() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Starts an instance (the first one, and each replacement of a killed one). */
    public interface Starter {
        Instance start() throws IOException, InterruptedException;
    }

    /** Rates in [0, 1] of each fault per request; a killed instance dies within {@code killWithinMs} of the request. */
    public record Faults(double throttle, double kill, double drop, long seed, int killWithinMs) {
        public static final Faults NONE = new Faults(0, 0, 0, 1, 0);
    }

    private final Starter starter;
    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService killer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "function-front-end-killer");
        t.setDaemon(true);
        return t;
    });
    /** Headers the JDK's client sets itself. */
    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("connection", "content-length", "expect",
            "host", "upgrade");
    private final StringBuilder pastOutput = new StringBuilder();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile CompletableFuture<Instance> instance;
    private volatile Faults faults = Faults.NONE;
    private Random random = new Random(1);

    private FunctionFrontEnd(Starter starter, Instance first) throws IOException {
        this.starter = starter;
        this.instance = CompletableFuture.completedFuture(first);
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            try {
                handle(x);
            } catch (RuntimeException | IOException e) {
                x.close();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "function-front-end");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Starts one instance behind a new front end. */
    public static FunctionFrontEnd start(Starter starter) throws IOException, InterruptedException {
        return new FunctionFrontEnd(starter, starter.start());
    }

    /** The front end's address; a request's path and query reach the instance as they are. */
    public URI origin() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    /** From now on, these faults (drawn afresh from their seed). */
    public synchronized void faults(Faults faults) {
        this.faults = faults;
        this.random = new Random(faults.seed());
    }

    /** How many of each fault were injected so far: throttled, killed, dropped. */
    public Map<String, Long> injected() {
        return Map.of("throttled", throttled.get(), "killed", killed.get(), "dropped", dropped.get());
    }

    /** Everything every instance wrote to its log, the killed ones' too. */
    public synchronized String output() throws IOException {
        return pastOutput + instance.join().output();
    }

    private enum Fault { NONE, THROTTLE, KILL, DROP }

    private synchronized Fault draw() {
        Faults f = faults;
        double r = random.nextDouble();
        if (r < f.throttle()) {
            return Fault.THROTTLE;
        }
        if (r < f.throttle() + f.kill()) {
            return Fault.KILL;
        }
        return r < f.throttle() + f.kill() + f.drop() ? Fault.DROP : Fault.NONE;
    }

    private synchronized int killDelayMs() {
        return faults.killWithinMs() <= 0 ? 0 : random.nextInt(faults.killWithinMs());
    }

    private void handle(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readAllBytes();
        Fault fault = draw();
        if (fault == Fault.THROTTLE) {
            throttled.incrementAndGet();
            answer(x, 429, "Rate exceeded. (injected: no instance was available)");
            return;
        }
        Instance target;
        try {
            target = instance.join();
        } catch (CompletionException e) {
            answer(x, 503, "the instance did not start: " + e.getCause());
            return;
        }
        if (fault == Fault.KILL) {
            killer.schedule(() -> kill(target), killDelayMs(), TimeUnit.MILLISECONDS);
        }
        HttpResponse<byte[]> response;
        try {
            HttpRequest.Builder forward = HttpRequest.newBuilder(target.origin().resolve(x.getRequestURI()))
                    .timeout(Duration.ofMinutes(5)).method(x.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            x.getRequestHeaders().forEach((name, values) -> {
                if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(v -> forward.header(name, v));
                }
            });
            response = http.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            answer(x, 503, "The request failed because the instance crashed (injected)");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            x.close();
            return;
        }
        if (fault == Fault.DROP) {
            dropped.incrementAndGet();
            x.close(); // no status sent: the server closes the connection, and the caller sees it drop
            return;
        }
        x.getResponseHeaders().set("Content-Type", response.headers().firstValue("Content-Type").orElse("application/json"));
        x.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
        if (response.body().length > 0) {
            x.getResponseBody().write(response.body());
        }
        x.close();
    }

    /** Kills {@code target} if it is still the instance, and starts its replacement. */
    private synchronized void kill(Instance target) {
        if (instance.getNow(null) != target) {
            return;
        }
        killed.incrementAndGet();
        try {
            pastOutput.append(target.output());
            target.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        instance = CompletableFuture.supplyAsync(() -> {
            try {
                return starter.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
    }

    private static void answer(HttpExchange x, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Override
    public void close() throws IOException {
        server.stop(0);
        killer.shutdownNow();
        instance.join().close();
    }
}

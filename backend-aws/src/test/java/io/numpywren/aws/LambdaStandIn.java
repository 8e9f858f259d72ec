package io.numpywren.aws;

import io.numpywren.testing.BareMachine;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS Lambda on this machine, for one function: it serves the Invoke API
 * ({@code POST /2015-03-31/functions/{name}/invocations}) to the SDK's client, and the Runtime API
 * ({@code /2018-06-01/runtime/invocation/next}, {@code /{id}/response}, {@code /{id}/error}) to
 * worker JVMs running the official {@code aws-lambda-java-runtime-interface-client} with the real
 * handler, one Runtime API server per worker, as one Lambda instance each.
 *
 * <p>Like Lambda it answers 429 TooManyRequestsException beyond its concurrency limit, answers
 * {@code X-Amz-Function-Error: Unhandled} with the function's error payload when the handler
 * throws, and {@code Runtime.ExitError} when an instance dies mid-invocation, after which a new
 * instance starts (a cold start). Faults, drawn from a seed: throttle an invocation (429), kill
 * the worker JVM that runs it, or drop the response after the worker answered (the connection is
 * reset). It can also hold invocations back, as a platform whose instances are all busy.
 */
final class LambdaStandIn implements AutoCloseable {
    static final String ACCOUNT = "123456789012";
    private static final Pattern INVOKE = Pattern.compile("/2015-03-31/functions/([^/?]+)/invocations(\\?.*)?");
    private static final Pattern RUNTIME = Pattern.compile("/2018-06-01/runtime/invocation/([^/]+)/(response|error)");

    /**
     * Rates in [0, 1] of each fault, drawn per invocation from {@code seed}. A killed worker dies
     * up to {@code killWithinMs} after it took the invocation (0: before it could start on it).
     */
    record Faults(double throttle, double kill, double drop, long seed, int killWithinMs) {
        static final Faults NONE = new Faults(0, 0, 0, 1, 0);
    }

    /**
     * How the function is set up. {@code code} is the function's code as a class path (the deployable jar,
     * say); null runs this module's classes and its runtime dependencies. With {@code bareMachine}, the
     * worker JVMs start without this machine's BLAS, LAPACK and gfortran libraries, as on Lambda
     * ({@link BareMachine}).
     */
    record Config(String functionName, int workers, int concurrencyLimit, Duration timeout, Map<String, String> env,
                  String code, boolean bareMachine) {
        Config(String functionName, int workers, int concurrencyLimit, Duration timeout, Map<String, String> env) {
            this(functionName, workers, concurrencyLimit, timeout, env, null, false);
        }
    }

    private sealed interface Outcome permits Answer, FunctionError, Dropped {
    }

    private record Answer(byte[] body) implements Outcome {
    }

    private record FunctionError(String type, byte[] body) implements Outcome {
    }

    private record Dropped() implements Outcome {
    }

    private static final class Invocation {
        final String id = UUID.randomUUID().toString();
        final byte[] payload;
        final boolean kill;
        final boolean drop;
        final CompletableFuture<Outcome> outcome = new CompletableFuture<>();

        Invocation(byte[] payload, boolean kill, boolean drop) {
            this.payload = payload;
            this.kill = kill;
            this.drop = drop;
        }
    }

    /** One Lambda instance: a Runtime API endpoint and the worker JVM polling it. */
    private final class Worker {
        final int index;
        final RawHttpServer runtimeApi;
        final Path log;
        /** Counted down by the first poll of the current instance. */
        volatile CountDownLatch ready = new CountDownLatch(1);
        volatile Process process;
        volatile int generation;
        volatile Invocation current;

        Worker(int index) throws IOException {
            this.index = index;
            this.log = logDir.resolve("worker-" + index + ".log");
            this.runtimeApi = new RawHttpServer("lambda-runtime-" + index, this::handle);
        }

        /**
         * Starts an instance and waits until it polls for work (or dies). The runtime client unpacks its
         * native library to one fixed path, /tmp/.libaws-lambda-jni.so, so two JVMs starting at once can
         * crash each other (SIGBUS): instances start one at a time, as on Lambda each has a sandbox.
         */
        void spawnAndWait() {
            synchronized (SPAWN_LOCK) {
                if (closed) {
                    return;
                }
                CountDownLatch polled = spawn();
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                    while (!polled.await(50, TimeUnit.MILLISECONDS) && process.isAlive()
                            && System.nanoTime() < deadline) {
                        // waiting for the instance's first poll
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private synchronized CountDownLatch spawn() {
            generation++;
            CountDownLatch polled = new CountDownLatch(1);
            ready = polled;
            List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx320m", "-XX:+UseSerialGC",
                    "-XX:ErrorFile=" + logDir.resolve("hs_err_%p.log"),
                    "-XX:TieredStopAtLevel=1", "-cp", workerClasspath(config.code()),
                    "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                    "io.numpywren.aws.WorkerHandler::handleRequest"));
            ProcessBuilder pb = new ProcessBuilder(config.bareMachine() ? BareMachine.wrap(command) : command);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("AWS_")); // never a real account's settings
            env.put("AWS_LAMBDA_RUNTIME_API", runtimeApi.hostAndPort());
            env.put("AWS_LAMBDA_FUNCTION_NAME", config.functionName());
            env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "320");
            env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + config.functionName());
            env.put("AWS_LAMBDA_LOG_STREAM_NAME", "instance-" + index + "-" + generation);
            env.put("OPENBLAS_NUM_THREADS", "1");
            env.putAll(config.env());
            pb.directory(logDir.toFile());
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            try {
                Process p = pb.start();
                process = p;
                int gen = generation;
                p.onExit().thenRun(() -> exited(gen));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a worker JVM", e);
            }
            return polled;
        }

        /** The instance died: an invocation it held fails as Lambda reports it, and a new instance starts. */
        private void exited(int gen) {
            Invocation inv;
            synchronized (this) {
                if (gen != generation) {
                    return;
                }
                inv = current;
                current = null;
            }
            if (inv != null) {
                // Reported a little after the death, as Lambda does once it has torn the sandbox down: a
                // request the instance had fully sent just before (an S3 PUT) lands before the caller hears.
                byte[] error = ("{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":\"RequestId: " + inv.id
                        + " Error: Runtime exited with error: signal: killed\"}").getBytes(StandardCharsets.UTF_8);
                timer.schedule(() -> inv.outcome.complete(new FunctionError("Runtime.ExitError", error)),
                        200, TimeUnit.MILLISECONDS);
            }
            if (!closed) {
                restarts.incrementAndGet();
                SPAWNER.execute(this::spawnAndWait);
            }
        }

        private boolean alive(int gen) {
            Process p = process;
            return gen == generation && p != null && p.isAlive();
        }

        private RawHttpServer.Response handle(RawHttpServer.Request r) throws InterruptedException {
            if (r.method().equals("GET") && r.path().equals("/2018-06-01/runtime/invocation/next")) {
                return next();
            }
            Matcher m = RUNTIME.matcher(r.path());
            if (r.method().equals("POST") && m.matches()) {
                Invocation inv = current;
                if (inv == null || !inv.id.equals(m.group(1))) {
                    return json(400, "Bad Request", "{\"errorMessage\":\"no invocation " + m.group(1)
                            + " is running on this instance\",\"errorType\":\"InvalidRequestID\"}");
                }
                current = null;
                if (m.group(2).equals("response")) {
                    inv.outcome.complete(inv.drop ? new Dropped() : new Answer(r.body()));
                } else {
                    String type = r.header("Lambda-Runtime-Function-Error-Type");
                    inv.outcome.complete(new FunctionError(type == null ? "Unhandled" : type, r.body()));
                }
                return json(202, "Accepted", "{\"status\":\"OK\"}");
            }
            if (r.method().equals("POST") && r.path().equals("/2018-06-01/runtime/init/error")) {
                System.err.println("lambda stand-in: worker " + index + " failed to start: "
                        + new String(r.body(), StandardCharsets.UTF_8));
                return json(202, "Accepted", "{\"status\":\"OK\"}");
            }
            return json(404, "Not Found", "{\"errorMessage\":\"unknown runtime API path " + r.path() + "\"}");
        }

        private RawHttpServer.Response next() throws InterruptedException {
            int gen = generation;
            ready.countDown();
            while (!closed) {
                Invocation inv = queue.poll(100, TimeUnit.MILLISECONDS);
                if (inv == null) {
                    if (!alive(gen)) {
                        throw new RawHttpServer.DropConnection(); // the poll of an instance that is gone
                    }
                    continue;
                }
                synchronized (this) {
                    if (!alive(gen)) {
                        queue.addFirst(inv);
                        throw new RawHttpServer.DropConnection();
                    }
                    current = inv;
                }
                if (inv.kill) {
                    killed.incrementAndGet();
                    Process p = process;
                    int within = faults.killWithinMs();
                    if (within <= 0) {
                        p.destroyForcibly(); // it dies holding the invocation, before it could start
                        throw new RawHttpServer.DropConnection();
                    }
                    // Mid-task: before or after it reads, computes or writes, as it happens.
                    timer.schedule(p::destroyForcibly, random(within), TimeUnit.MILLISECONDS);
                }
                long deadline = System.currentTimeMillis() + config.timeout().toMillis();
                return RawHttpServer.Response.of(200, "OK", inv.payload,
                        "Content-Type", "application/json",
                        "Lambda-Runtime-Aws-Request-Id", inv.id,
                        "Lambda-Runtime-Deadline-Ms", Long.toString(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn", functionArn(),
                        "Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
            }
            throw new RawHttpServer.DropConnection();
        }
    }

    private static final Object SPAWN_LOCK = new Object();
    private static final java.util.concurrent.ExecutorService SPAWNER = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lambda-stand-in-spawner");
        t.setDaemon(true);
        return t;
    });

    private final Config config;
    private final Path logDir;
    private final RawHttpServer invokeApi;
    private final List<Worker> workers = new ArrayList<>();
    private final LinkedBlockingDeque<Invocation> queue = new LinkedBlockingDeque<>();
    private final List<Invocation> held = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lambda-stand-in-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Invocation> outstanding = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong overLimit = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong killed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private volatile Faults faults = Faults.NONE;
    private SplittableRandom random = new SplittableRandom(1);
    private volatile boolean holding;
    private volatile boolean closed;

    private LambdaStandIn(Config config) throws IOException {
        this.config = config;
        this.logDir = Path.of(System.getProperty("numpywren.worker.classes", "target/classes")).getParent()
                .resolve("lambda-stand-in").resolve(config.functionName() + "-" + UUID.randomUUID().toString().substring(0, 6));
        Files.createDirectories(logDir);
        this.invokeApi = new RawHttpServer("lambda-invoke", this::invoke);
        for (int i = 0; i < config.workers(); i++) {
            workers.add(new Worker(i));
        }
    }

    /** Starts the function's instances and waits until each polls for work (warm). */
    static LambdaStandIn start(Config config) throws IOException, InterruptedException {
        LambdaStandIn standIn = new LambdaStandIn(config);
        try {
            for (Worker w : standIn.workers) {
                w.spawnAndWait();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (Worker w : standIn.workers) {
                // An instance that died starting is replaced, with a latch of its own: read it afresh.
                while (w.ready.getCount() > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("worker JVM " + w.index + " did not poll for work within 90 s;"
                                + " see " + w.log);
                    }
                    Thread.sleep(20);
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            standIn.close();
            throw e;
        }
        return standIn;
    }

    URI endpoint() {
        return URI.create("http://" + invokeApi.hostAndPort());
    }

    String functionArn() {
        return "arn:aws:lambda:" + S3Mock.REGION + ":" + ACCOUNT + ":function:" + config.functionName();
    }

    Path logDir() {
        return logDir;
    }

    synchronized void faults(Faults faults) {
        this.faults = faults;
        this.random = new SplittableRandom(faults.seed());
    }

    private synchronized boolean draw(double rate) {
        return rate > 0 && random.nextDouble() < rate;
    }

    private synchronized long random(int bound) {
        return random.nextInt(bound);
    }

    /** Invocations wait (accepted, not yet run) until {@link #release}. */
    void hold() {
        holding = true;
    }

    synchronized void release() {
        holding = false;
        held.forEach(queue::addLast);
        held.clear();
    }

    synchronized int heldCount() {
        return held.size();
    }

    long invocations() {
        return invocations.get();
    }

    int peakInFlight() {
        return peakInFlight.get();
    }

    void resetPeak() {
        peakInFlight.set(inFlight.get());
    }

    long overLimit() {
        return overLimit.get();
    }

    /** Faults injected so far. */
    Map<String, Long> injected() {
        return Map.of("throttled", throttled.get(), "killed", killed.get(), "dropped", dropped.get());
    }

    long restarts() {
        return restarts.get();
    }

    // ---------------------------------------------------------------- the Invoke API

    private static RawHttpServer.Response json(int status, String reason, String body, String... headers) {
        List<String> h = new ArrayList<>(List.of("Content-Type", "application/json"));
        h.addAll(List.of(headers));
        return RawHttpServer.Response.of(status, reason, body.getBytes(StandardCharsets.UTF_8), h.toArray(String[]::new));
    }

    private static RawHttpServer.Response error(int status, String reason, String type, String message) {
        return json(status, reason, "{\"Type\":\"User\",\"message\":\"" + message + "\"}",
                "x-amzn-ErrorType", type, "x-amzn-RequestId", UUID.randomUUID().toString());
    }

    private RawHttpServer.Response invoke(RawHttpServer.Request r) throws InterruptedException {
        Matcher m = INVOKE.matcher(r.path());
        if (!r.method().equals("POST") || !m.matches()) {
            return error(404, "Not Found", "UnknownOperationException", "unknown operation " + r.method() + " " + r.path());
        }
        String name = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        if (!name.equals(config.functionName()) && !name.equals(functionArn())) {
            return error(404, "Not Found", "ResourceNotFoundException",
                    "Function not found: arn:aws:lambda:" + S3Mock.REGION + ":" + ACCOUNT + ":function:" + name);
        }
        String type = r.header("X-Amz-Invocation-Type");
        if (type != null && !type.equals("RequestResponse")) {
            return error(400, "Bad Request", "InvalidParameterValueException",
                    "this stand-in serves RequestResponse invocations only, not " + type);
        }
        if (r.body().length > LambdaBackend.MAX_REQUEST_BYTES) {
            return error(413, "Request Entity Too Large", "RequestTooLargeException",
                    "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
        }
        invocations.incrementAndGet();
        Faults f = faults;
        if (draw(f.throttle())) {
            throttled.incrementAndGet();
            return tooManyRequests();
        }
        int now = inFlight.incrementAndGet();
        try {
            if (now > config.concurrencyLimit()) {
                overLimit.incrementAndGet();
                return tooManyRequests();
            }
            peakInFlight.accumulateAndGet(now, Math::max);
            Invocation inv = new Invocation(r.body(), draw(f.kill()), draw(f.drop()));
            outstanding.put(inv.id, inv);
            synchronized (this) {
                if (holding) {
                    held.add(inv);
                } else {
                    queue.addLast(inv);
                }
            }
            Outcome outcome;
            try {
                outcome = inv.outcome.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                outcome = timedOut(inv);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                outstanding.remove(inv.id);
            }
            if (outcome instanceof Answer a) {
                return RawHttpServer.Response.of(200, "OK", a.body(), "Content-Type", "application/json",
                        "X-Amz-Executed-Version", "$LATEST", "x-amzn-RequestId", inv.id);
            }
            if (outcome instanceof FunctionError e) {
                return RawHttpServer.Response.of(200, "OK", e.body(), "Content-Type", "application/json",
                        "X-Amz-Executed-Version", "$LATEST", "X-Amz-Function-Error", "Unhandled", "x-amzn-RequestId", inv.id);
            }
            dropped.incrementAndGet();
            throw new RawHttpServer.DropConnection();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static RawHttpServer.Response tooManyRequests() {
        return json(429, "Too Many Requests", "{\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\","
                        + "\"Type\":\"User\",\"message\":\"Rate Exceeded.\"}",
                "x-amzn-ErrorType", "TooManyRequestsException", "x-amzn-RequestId", UUID.randomUUID().toString());
    }

    /** As Lambda: the instance is stopped and the caller hears Sandbox.Timedout. */
    private Outcome timedOut(Invocation inv) {
        for (Worker w : workers) {
            if (w.current == inv) {
                Process p = w.process;
                if (p != null) {
                    p.destroyForcibly();
                }
            }
        }
        synchronized (this) {
            queue.remove(inv);
            held.remove(inv);
        }
        return new FunctionError("Sandbox.Timedout", ("{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: "
                + inv.id + " Error: Task timed out after " + config.timeout().toSeconds() + " seconds\"}")
                .getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- worker JVMs

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * What Lambda's Java runtime puts on the class path: the function's code ({@code code}, or this module's
     * classes and jars), and the runtime client.
     */
    private static String workerClasspath(String code) {
        String classes = System.getProperty("numpywren.worker.classes");
        String libs = System.getProperty("numpywren.worker.classpath");
        String client = System.getProperty("numpywren.runtime-client.classpath");
        if (classes == null || libs == null || client == null) {
            throw new IllegalStateException("the Lambda stand-in needs the system properties numpywren.worker.classes, "
                    + "numpywren.worker.classpath and numpywren.runtime-client.classpath (set by this module's pom: "
                    + "run the tests with Maven)");
        }
        try {
            String function = code != null ? code : classes + File.pathSeparator + Files.readString(Path.of(libs)).trim();
            return function + File.pathSeparator + Files.readString(Path.of(client)).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the worker class path", e);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            Process p = w.process;
            if (p != null) {
                p.destroyForcibly();
            }
        }
        for (Invocation inv : outstanding.values()) {
            inv.outcome.complete(new Dropped());
        }
        invokeApi.close();
        for (Worker w : workers) {
            w.runtimeApi.close();
        }
        timer.shutdownNow();
    }
}

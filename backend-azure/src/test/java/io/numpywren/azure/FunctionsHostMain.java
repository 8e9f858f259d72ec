package io.numpywren.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A small Azure Functions host for HTTP triggers, run in a JVM of its own by {@link FunctionsHost}:
 * what the real host and its Java worker do for this project's function, since neither installs
 * here. It reads the app as deployed (host.json, one folder per function with its function.json),
 * loads each function's {@code scriptFile} jar in a class loader of its own that sees only that
 * jar and the functions library (as the Java worker does), checks that the entry point carries
 * {@code @FunctionName} and an {@code @HttpTrigger} parameter agreeing with function.json, and
 * serves {@code /api/{name}}: the trigger's methods only (404 otherwise, as the host routes),
 * a function key in {@code x-functions-key} or {@code ?code=} for the FUNCTION level (401
 * otherwise), one class instance per invocation, and the library's request, response and
 * context types.
 *
 * <p>Arguments: the app's directory, the port, the function key.
 */
public final class FunctionsHostMain {
    private record Function(String name, Method method, Methods methods, boolean needsKey) {
    }

    private record Methods(List<String> names) {
        boolean allows(String method) {
            return names.contains(method.toUpperCase(Locale.ROOT));
        }
    }

    /** Loads the functions library from the host's class path and nothing else but the platform's classes. */
    private static final class LibraryOnly extends ClassLoader {
        LibraryOnly() {
            super(ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("com.microsoft.azure.functions.")) {
                return FunctionsHostMain.class.getClassLoader().loadClass(name);
            }
            return super.loadClass(name, resolve);
        }
    }

    public static void main(String[] args) throws Exception {
        Path app = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        String key = args[2];
        if (!Files.isRegularFile(app.resolve("host.json"))) {
            throw new IllegalStateException("no host.json in " + app);
        }
        ObjectMapper json = new ObjectMapper();
        Map<String, Function> functions = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(app)) {
            for (Path dir : dirs.filter(d -> Files.isRegularFile(d.resolve("function.json"))).toList()) {
                Function f = load(dir, json.readTree(dir.resolve("function.json").toFile()));
                functions.put(f.name().toLowerCase(Locale.ROOT), f);
            }
        }
        if (functions.isEmpty()) {
            throw new IllegalStateException("no function.json below " + app);
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/api/", x -> {
            try {
                serve(x, functions, key);
            } catch (RuntimeException | IOException e) {
                e.printStackTrace();
                answer(x, 500, "text/plain", ("host failed: " + e).getBytes(StandardCharsets.UTF_8), Map.of());
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        System.out.println("host: listening on " + port + " with functions " + functions.keySet());
    }

    private static Function load(Path dir, JsonNode config) throws Exception {
        String name = dir.getFileName().toString();
        Path jar = dir.resolve(config.path("scriptFile").asText()).normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(name + "/function.json: scriptFile " + jar + " does not exist");
        }
        String entryPoint = config.path("entryPoint").asText();
        int dot = entryPoint.lastIndexOf('.');
        JsonNode trigger = null;
        for (JsonNode b : config.path("bindings")) {
            if ("httpTrigger".equals(b.path("type").asText())) {
                trigger = b;
            }
        }
        if (dot < 0 || trigger == null) {
            throw new IllegalStateException(name + "/function.json: needs an entryPoint Class.method and an httpTrigger binding");
        }
        ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, new LibraryOnly());
        Class<?> type = Class.forName(entryPoint.substring(0, dot), false, loader);
        Method method = Arrays.stream(type.getMethods()).filter(m -> m.getName().equals(entryPoint.substring(dot + 1)))
                .findFirst().orElseThrow(() -> new IllegalStateException(name + ": no method " + entryPoint));
        FunctionName fn = method.getAnnotation(FunctionName.class);
        if (fn == null || !fn.value().equals(name)) {
            throw new IllegalStateException(entryPoint + " has no @FunctionName(\"" + name + "\")");
        }
        HttpTrigger http = null;
        for (Annotation[] annotations : method.getParameterAnnotations()) {
            for (Annotation a : annotations) {
                if (a instanceof HttpTrigger h) {
                    http = h;
                }
            }
        }
        if (http == null) {
            throw new IllegalStateException(entryPoint + " has no @HttpTrigger parameter");
        }
        List<String> methods = http.methods().length == 0 ? List.of("GET", "POST")
                : Arrays.stream(http.methods()).map(HttpMethod::name).toList();
        List<String> declared = new java.util.ArrayList<>();
        trigger.path("methods").forEach(m -> declared.add(m.asText().toUpperCase(Locale.ROOT)));
        if (!http.name().equals(trigger.path("name").asText())
                || !http.authLevel().name().equalsIgnoreCase(trigger.path("authLevel").asText())
                || !http.dataType().equals(trigger.path("dataType").asText(""))
                || !declared.equals(methods)) {
            throw new IllegalStateException(name + "/function.json does not match " + entryPoint + "'s @HttpTrigger: "
                    + trigger + " against name=" + http.name() + " authLevel=" + http.authLevel() + " methods=" + methods
                    + " dataType=" + http.dataType());
        }
        return new Function(name, method, new Methods(methods), !"ANONYMOUS".equals(http.authLevel().name()));
    }

    private static void serve(HttpExchange x, Map<String, Function> functions, String key) throws IOException {
        String name = x.getRequestURI().getPath().substring("/api/".length()).toLowerCase(Locale.ROOT);
        Function f = functions.get(name);
        byte[] body = x.getRequestBody().readAllBytes();
        if (f == null || !f.methods().allows(x.getRequestMethod())) {
            answer(x, 404, "text/plain", new byte[0], Map.of());
            return;
        }
        Map<String, String> query = query(x.getRequestURI().getRawQuery());
        String given = Optional.ofNullable(x.getRequestHeaders().getFirst("x-functions-key")).orElse(query.get("code"));
        if (f.needsKey() && !key.equals(given)) {
            answer(x, 401, "text/plain", new byte[0], Map.of());
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        Request request = new Request(URI.create("http://" + x.getRequestHeaders().getFirst("Host") + x.getRequestURI()),
                HttpMethod.value(x.getRequestMethod()), headers, query, Optional.of(body));
        Context context = new Context(f.name());
        Object out;
        try {
            Object instance = f.method().getDeclaringClass().getDeclaredConstructor().newInstance();
            out = f.method().invoke(instance, request, context);
        } catch (InvocationTargetException e) {
            e.getCause().printStackTrace();
            answer(x, 500, "text/plain", new byte[0], Map.of());
            return;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot invoke " + f.method(), e);
        }
        Response response = (Response) out;
        Object b = response.getBody();
        byte[] bytes = b == null ? new byte[0] : b instanceof byte[] raw ? raw
                : b instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : new ObjectMapper().writeValueAsBytes(b);
        answer(x, response.getStatusCode(), response.headers.getOrDefault("content-type", "application/octet-stream"),
                bytes, response.headers);
    }

    private static void answer(HttpExchange x, int status, String type, byte[] body, Map<String, String> headers)
            throws IOException {
        headers.forEach((k, v) -> x.getResponseHeaders().set(k, v));
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            x.getResponseBody().write(body);
        }
        x.close();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw != null) {
            for (String part : raw.split("&")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(part.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }

    private record Request(URI uri, HttpMethod method, Map<String, String> headers, Map<String, String> query,
                           Optional<byte[]> body) implements HttpRequestMessage<Optional<byte[]>> {
        @Override
        public URI getUri() {
            return uri;
        }

        @Override
        public HttpMethod getHttpMethod() {
            return method;
        }

        @Override
        public Map<String, String> getHeaders() {
            return headers;
        }

        @Override
        public Map<String, String> getQueryParameters() {
            return query;
        }

        @Override
        public Optional<byte[]> getBody() {
            return body;
        }

        @Override
        public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
            return new Response.Builder(status);
        }

        @Override
        public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
            return new Response.Builder(status);
        }
    }

    private static final class Response implements HttpResponseMessage {
        private final HttpStatusType status;
        private final Map<String, String> headers;
        private final Object body;

        private Response(HttpStatusType status, Map<String, String> headers, Object body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public HttpStatusType getStatus() {
            return status;
        }

        @Override
        public int getStatusCode() {
            return status.value();
        }

        @Override
        public String getHeader(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public Object getBody() {
            return body;
        }

        private static final class Builder implements HttpResponseMessage.Builder {
            private HttpStatusType status;
            private final Map<String, String> headers = new LinkedHashMap<>();
            private Object body;

            Builder(HttpStatusType status) {
                this.status = status;
            }

            @Override
            public HttpResponseMessage.Builder status(HttpStatusType status) {
                this.status = status;
                return this;
            }

            @Override
            public HttpResponseMessage.Builder header(String name, String value) {
                headers.put(name.toLowerCase(Locale.ROOT), value);
                return this;
            }

            @Override
            public HttpResponseMessage.Builder body(Object body) {
                this.body = body;
                return this;
            }

            @Override
            public HttpResponseMessage build() {
                return new Response(status, headers, body);
            }
        }
    }

    private record Context(String functionName) implements ExecutionContext {
        private static final Logger LOG = Logger.getLogger("Host.Function");

        @Override
        public Logger getLogger() {
            return LOG;
        }

        @Override
        public String getInvocationId() {
            return UUID.randomUUID().toString();
        }

        @Override
        public String getFunctionName() {
            return functionName;
        }
    }
}

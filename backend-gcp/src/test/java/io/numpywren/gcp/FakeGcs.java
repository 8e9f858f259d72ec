package io.numpywren.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The part of Cloud Storage's JSON API that {@code google-cloud-storage} calls for blocks: media
 * and multipart uploads, resumable uploads in chunks, downloads, metadata, deletes and listings,
 * with generation preconditions ({@code ifGenerationMatch=0}) decided atomically, as Cloud
 * Storage does. Buckets are implicit. It can answer the next requests with an error status (429,
 * 503) to exercise retries. One server per test JVM is enough: each test takes buckets of its own.
 */
public final class FakeGcs implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record StoredObject(byte[] content, long generation, String contentType) {
    }

    private record Upload(String bucket, String name, String contentType, boolean ifNotExists,
                          ByteArrayOutputStream received) {
    }

    private final HttpServer server;
    private final Map<String, ConcurrentSkipListMap<String, StoredObject>> buckets = new ConcurrentHashMap<>();
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> policies = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong(1_000_000);
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;
    private final AtomicInteger dropsLeft = new AtomicInteger();
    private final AtomicInteger stallsLeft = new AtomicInteger();
    private volatile long stallMillis;
    final AtomicInteger requests = new AtomicInteger();
    /** Batch requests served, and the calls in them. */
    final AtomicInteger batches = new AtomicInteger();
    final AtomicInteger batchDeletes = new AtomicInteger();
    final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());

    public FakeGcs() throws IOException {
        // Without TCP_NODELAY every answer written in two parts waits for a delayed ACK (about 40 ms
        // on loopback), which would make each block request cost as much as a WAN round trip.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", x -> {
            try {
                handle(x);
            } catch (RuntimeException | IOException e) {
                e.printStackTrace(); // a bug in the stand-in, not an outage to retry
                error(x, 400, "fake GCS failed: " + e);
            }
        });
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-gcs");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public String host() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The next {@code n} requests get {@code status} (429 or 503) and change nothing. */
    void failNext(int n, int status) {
        failureStatus = status;
        failuresLeft.set(n);
    }

    /** The next {@code n} requests are not answered: their connection is closed, and nothing changes. */
    void dropNext(int n) {
        dropsLeft.set(n);
    }

    /** The next {@code n} downloads send half their bytes, then stall for {@code millis} before the connection closes. */
    void stallNextDownloads(int n, long millis) {
        stallMillis = millis;
        stallsLeft.set(n);
    }

    /** Resumable upload sessions begun and neither finished nor abandoned by the client. */
    public int openUploads() {
        return uploads.size();
    }

    /** The objects of a bucket, by name. */
    public Map<String, byte[]> objects(String bucket) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        bucket(bucket).forEach((k, v) -> out.put(k, v.content()));
        return out;
    }

    private ConcurrentSkipListMap<String, StoredObject> bucket(String name) {
        return buckets.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        String method = x.getRequestMethod();
        String rawPath = x.getRequestURI().getRawPath();
        Map<String, String> query = query(x.getRequestURI().getRawQuery());
        log.add(method + " " + rawPath + (x.getRequestURI().getRawQuery() == null ? "" : "?" + x.getRequestURI().getRawQuery()));
        byte[] body = x.getRequestBody().readAllBytes();
        if ("gzip".equalsIgnoreCase(x.getRequestHeaders().getFirst("Content-Encoding"))) {
            body = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body)).readAllBytes();
        }
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            error(x, failureStatus, failureStatus == 429 ? "rate limit exceeded (injected)" : "backend error (injected)");
            return;
        }
        if (dropsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            x.close(); // no status sent: the server closes the connection
            return;
        }
        List<String> p = segments(rawPath);
        // /batch/storage/v1: a multipart/mixed body of HTTP requests, answered part by part
        if (rawPath.equals("/batch/storage/v1") && method.equals("POST")) {
            batch(x, body);
            return;
        }
        // /upload/storage/v1/b/{bucket}/o
        if (p.size() == 6 && p.get(0).equals("upload") && p.get(5).equals("o")) {
            upload(x, method, p.get(4), query, body);
            return;
        }
        // /storage/v1/b/{bucket}/iam: the bucket's IAM policy, as deploy reads and writes it
        if (p.size() == 5 && p.get(0).equals("storage") && p.get(2).equals("b") && p.get(4).equals("iam")) {
            bucketPolicy(x, method, p.get(3), body);
            return;
        }
        int base = p.size() > 0 && (p.get(0).equals("download")) ? 1 : 0;
        if (p.size() >= base + 5 && p.get(base).equals("storage") && p.get(base + 2).equals("b") && p.get(base + 4).equals("o")) {
            String bucket = p.get(base + 3);
            if (p.size() == base + 5) {
                list(x, bucket, query);
                return;
            }
            String name = p.get(base + 5);
            object(x, method, bucket, name, query);
            return;
        }
        error(x, 404, "unknown path " + rawPath);
    }

    /**
     * A JSON API batch: each part an HTTP request (here, deletes of objects, as the client batches
     * them), each answered by a part of the multipart/mixed reply with the same Content-ID.
     */
    private void batch(HttpExchange x, byte[] body) throws IOException {
        String type = x.getRequestHeaders().getFirst("Content-Type");
        int at = type == null ? -1 : type.indexOf("boundary=");
        if (at < 0) {
            error(x, 400, "a batch needs a multipart/mixed body with a boundary");
            return;
        }
        String boundary = type.substring(at + "boundary=".length()).replace("\"", "").trim();
        String text = new String(body, StandardCharsets.UTF_8);
        StringBuilder reply = new StringBuilder();
        String replyBoundary = "batch_" + generations.incrementAndGet();
        int calls = 0;
        for (String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
            String trimmed = part.strip();
            if (trimmed.isEmpty() || trimmed.equals("--")) {
                continue;
            }
            String[] sections = part.replace("\r\n", "\n").split("\n\n", 3);
            String contentId = "";
            for (String line : sections[0].strip().split("\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-id:")) {
                    contentId = line.substring("content-id:".length()).trim();
                }
            }
            String requestLine = sections.length > 1 ? sections[1].strip().split("\n")[0] : "";
            String[] words = requestLine.split(" ");
            String status;
            String answer = "";
            if (++calls > 100) {
                status = "400 Bad Request";
                answer = "{\"error\": {\"code\": 400, \"message\": \"more than 100 calls in one batch\"}}";
            } else if (words.length >= 2 && words[0].equals("DELETE")) {
                String target = words[1].replaceFirst("^https?://[^/]+", "");
                List<String> segs = segments(target.replaceFirst("\\?.*$", ""));
                // storage/v1/b/{bucket}/o/{name}
                if (segs.size() == 6 && segs.get(0).equals("storage") && segs.get(2).equals("b") && segs.get(4).equals("o")
                        && bucket(segs.get(3)).remove(segs.get(5)) != null) {
                    status = "204 No Content";
                } else {
                    status = "404 Not Found";
                    answer = "{\"error\": {\"code\": 404, \"message\": \"No such object\"}}";
                }
            } else {
                status = "400 Bad Request";
                answer = "{\"error\": {\"code\": 400, \"message\": \"the fake batches deletes only\"}}";
            }
            batchDeletes.incrementAndGet();
            reply.append("--").append(replyBoundary).append("\r\n")
                    .append("Content-Type: application/http\r\n")
                    .append("Content-ID: response-").append(contentId.replace("<", "").replace(">", "")).append("\r\n\r\n")
                    .append("HTTP/1.1 ").append(status).append("\r\n")
                    .append("Content-Type: application/json; charset=UTF-8\r\n")
                    .append("Content-Length: ").append(answer.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                    .append(answer).append("\r\n");
        }
        reply.append("--").append(replyBoundary).append("--\r\n");
        batches.incrementAndGet();
        send(x, 200, "multipart/mixed; boundary=" + replyBoundary, reply.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void bucketPolicy(HttpExchange x, String method, String bucket, byte[] body) throws IOException {
        switch (method) {
            case "GET" -> json(x, 200, policies.computeIfAbsent(bucket, b -> JSON.createObjectNode()
                    .put("kind", "storage#policy").put("resourceId", "projects/_/buckets/" + b).put("version", 1)
                    .put("etag", "CAE=")));
            case "PUT" -> {
                ObjectNode policy = (ObjectNode) JSON.readTree(body);
                policy.put("kind", "storage#policy").put("resourceId", "projects/_/buckets/" + bucket)
                        .put("etag", "CA" + generations.incrementAndGet() + "=");
                policies.put(bucket, policy);
                json(x, 200, policy);
            }
            default -> error(x, 405, "method " + method + " on a bucket's IAM policy");
        }
    }

    /** A bucket's IAM policy as last set (JSON API form), or null. */
    public JsonNode policy(String bucket) {
        return policies.get(bucket);
    }

    private void object(HttpExchange x, String method, String bucket, String name, Map<String, String> query)
            throws IOException {
        StoredObject o = bucket(bucket).get(name);
        switch (method) {
            case "GET" -> {
                if (o == null) {
                    error(x, 404, "No such object: " + bucket + "/" + name);
                } else if ("media".equals(query.get("alt"))) {
                    if (stallsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                        stall(x, o.content());
                        return;
                    }
                    send(x, 200, o.contentType(), o.content(), "x-goog-generation", Long.toString(o.generation()));
                } else {
                    json(x, 200, resource(bucket, name, o));
                }
            }
            case "DELETE" -> {
                if (bucket(bucket).remove(name) == null) {
                    error(x, 404, "No such object: " + bucket + "/" + name);
                } else {
                    x.sendResponseHeaders(204, -1);
                    x.close();
                }
            }
            default -> error(x, 405, "method " + method + " on an object");
        }
    }

    private void list(HttpExchange x, String bucket, Map<String, String> query) throws IOException {
        String prefix = query.getOrDefault("prefix", "");
        int max = Integer.parseInt(query.getOrDefault("maxResults", "1000"));
        String after = query.get("pageToken");
        ObjectNode answer = JSON.createObjectNode().put("kind", "storage#objects");
        ArrayNode items = answer.putArray("items");
        int n = 0;
        var view = after == null ? bucket(bucket).tailMap(prefix, true) : bucket(bucket).tailMap(after, false);
        for (Map.Entry<String, StoredObject> e : view.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (n == max) {
                answer.put("nextPageToken", items.get(items.size() - 1).get("name").asText());
                break;
            }
            items.add(resource(bucket, e.getKey(), e.getValue()));
            n++;
        }
        json(x, 200, answer);
    }

    private void upload(HttpExchange x, String method, String bucket, Map<String, String> query, byte[] body)
            throws IOException {
        String type = query.getOrDefault("uploadType", "");
        boolean ifNotExists = "0".equals(query.get("ifGenerationMatch"));
        if (method.equals("POST") && type.equals("multipart")) {
            String contentType = x.getRequestHeaders().getFirst("Content-Type");
            List<byte[]> parts = multipart(body, contentType.substring(contentType.indexOf("boundary=") + 9)
                    .replace("\"", ""));
            JsonNode metadata = JSON.readTree(parts.get(0));
            finish(x, bucket, metadata.get("name").asText(), metadata.path("contentType").asText("application/octet-stream"),
                    parts.get(1), ifNotExists);
        } else if (method.equals("POST") && type.equals("media")) {
            finish(x, bucket, query.get("name"), "application/octet-stream", body, ifNotExists);
        } else if (method.equals("POST") && type.equals("resumable")) {
            JsonNode metadata = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
            String name = metadata.has("name") ? metadata.get("name").asText() : query.get("name");
            String id = java.util.UUID.randomUUID().toString();
            uploads.put(id, new Upload(bucket, name, metadata.path("contentType").asText("application/octet-stream"),
                    ifNotExists, new ByteArrayOutputStream()));
            String location = host() + "/upload/storage/v1/b/" + bucket + "/o?uploadType=resumable&upload_id=" + id;
            send(x, 200, "application/json", new byte[0], "Location", location);
        } else if (method.equals("PUT") && query.containsKey("upload_id")) {
            chunk(x, uploads.get(query.get("upload_id")), body);
        } else {
            error(x, 400, "unknown upload " + method + " " + query);
        }
    }

    /** One chunk of a resumable upload: {@code Content-Range: bytes a-b/total}, or a status query {@code bytes *}{@code /t}. */
    private void chunk(HttpExchange x, Upload u, byte[] body) throws IOException {
        if (u == null) {
            error(x, 404, "no such upload session");
            return;
        }
        String range = x.getRequestHeaders().getFirst("Content-Range");
        String spec = range == null ? "*/*" : range.replace("bytes ", "").trim();
        String total = spec.substring(spec.indexOf('/') + 1);
        String span = spec.substring(0, spec.indexOf('/'));
        synchronized (u) {
            if (!span.equals("*")) {
                long start = Long.parseLong(span.substring(0, span.indexOf('-')));
                if (start == u.received().size()) {
                    u.received().write(body);
                } else if (start + body.length > u.received().size()) {
                    error(x, 400, "chunk at " + start + " but " + u.received().size() + " bytes received");
                    return;
                }
            }
            long have = u.received().size();
            if (!total.equals("*") && Long.parseLong(total) == have) {
                uploads.values().remove(u);
                finish(x, u.bucket(), u.name(), u.contentType(), u.received().toByteArray(), u.ifNotExists());
                return;
            }
            if (have == 0) {
                send(x, 308, "text/plain", new byte[0]);
            } else {
                send(x, 308, "text/plain", new byte[0], "Range", "bytes=0-" + (have - 1));
            }
        }
    }

    private void finish(HttpExchange x, String bucket, String name, String contentType, byte[] content,
                        boolean ifNotExists) throws IOException {
        StoredObject o = new StoredObject(content, generations.incrementAndGet(), contentType);
        if (ifNotExists) {
            if (bucket(bucket).putIfAbsent(name, o) != null) {
                error(x, 412, "At least one of the pre-conditions you specified did not hold.");
                return;
            }
        } else {
            bucket(bucket).put(name, o);
        }
        json(x, 200, resource(bucket, name, o));
    }

    private static ObjectNode resource(String bucket, String name, StoredObject o) {
        CRC32C crc = new CRC32C();
        crc.update(o.content());
        byte[] md5;
        try {
            md5 = MessageDigest.getInstance("MD5").digest(o.content());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return JSON.createObjectNode().put("kind", "storage#object").put("bucket", bucket).put("name", name)
                .put("id", bucket + "/" + name + "/" + o.generation()).put("generation", Long.toString(o.generation()))
                .put("metageneration", "1").put("size", Integer.toString(o.content().length))
                .put("contentType", o.contentType())
                .put("crc32c", Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array()))
                .put("md5Hash", Base64.getEncoder().encodeToString(md5));
    }

    /** The parts of a multipart/related body, each without its headers. */
    private static List<byte[]> multipart(byte[] body, String boundary) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        List<byte[]> parts = new ArrayList<>();
        int at = text.indexOf(delimiter);
        while (at >= 0) {
            int start = at + delimiter.length();
            if (text.startsWith("--", start)) {
                break;
            }
            int next = text.indexOf("\r\n" + delimiter, start);
            String part = text.substring(start, next < 0 ? text.length() : next);
            int content = part.indexOf("\r\n\r\n");
            parts.add(part.substring(content + 4).getBytes(StandardCharsets.ISO_8859_1));
            at = next < 0 ? -1 : next + 2;
        }
        return parts;
    }

    private static List<String> segments(String rawPath) {
        List<String> out = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                out.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void json(HttpExchange x, int status, JsonNode body) throws IOException {
        send(x, status, "application/json; charset=UTF-8", JSON.writeValueAsBytes(body));
    }

    private static void error(HttpExchange x, int status, String message) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        ObjectNode inner = e.putObject("error").put("code", status).put("message", message);
        inner.putArray("errors").addObject().put("message", message).put("domain", "global")
                .put("reason", status == 412 ? "conditionNotMet" : status == 404 ? "notFound" : "backendError");
        json(x, status, e);
    }

    private void stall(HttpExchange x, byte[] content) throws IOException {
        x.sendResponseHeaders(200, content.length);
        x.getResponseBody().write(content, 0, content.length / 2);
        x.getResponseBody().flush();
        try {
            Thread.sleep(stallMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        x.close(); // shorter than it said: the server closes the connection
    }

    private static void send(HttpExchange x, int status, String type, byte[] body, String... headers) throws IOException {
        x.getResponseHeaders().add("Content-Type", type);
        for (int i = 0; i < headers.length; i += 2) {
            x.getResponseHeaders().add(headers[i], headers[i + 1]);
        }
        x.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            x.getResponseBody().write(body);
        }
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

package io.numpywren.aws;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP/1.1 server on a plain socket, one thread per connection, on the loopback address.
 * It writes header names exactly as given and an exact Content-Length: the Lambda runtime
 * interface client's native HTTP code relies on both (the JDK's HttpServer rewrites header case).
 * A handler may take its time (a long poll) or drop the connection without answering.
 */
final class RawHttpServer implements AutoCloseable {

    /** A parsed request; header names are looked up ignoring case. */
    record Request(String method, String path, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** An answer; headers are written in order and case as given. */
    record Response(int status, String reason, List<Map.Entry<String, String>> headers, byte[] body) {
        static Response of(int status, String reason, byte[] body, String... headerPairs) {
            List<Map.Entry<String, String>> h = new ArrayList<>();
            for (int i = 0; i < headerPairs.length; i += 2) {
                h.add(Map.entry(headerPairs[i], headerPairs[i + 1]));
            }
            return new Response(status, reason, h, body == null ? new byte[0] : body);
        }
    }

    /** Thrown by a handler to close the connection without any answer (a response lost in transit). */
    static final class DropConnection extends RuntimeException {
        DropConnection() {
            super("connection dropped on purpose", null, false, false);
        }
    }

    interface Handler {
        Response handle(Request request) throws Exception;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final ExecutorService threads;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    RawHttpServer(String name, Handler handler) throws IOException {
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.handler = handler;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** host:port, as AWS_LAMBDA_RUNTIME_API wants it. */
    String hostAndPort() {
        return "127.0.0.1:" + port();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("RawHttpServer: accept failed: " + e);
                }
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                Request request = read(in, out);
                if (request == null) {
                    return;
                }
                Response response;
                try {
                    response = handler.handle(request);
                } catch (DropConnection e) {
                    socket.setSoLinger(true, 0); // a reset, as a connection lost in transit
                    return;
                } catch (Exception e) {
                    response = Response.of(500, "Internal Server Error",
                            ("stand-in failed: " + e).getBytes(StandardCharsets.UTF_8), "Content-Type", "text/plain");
                }
                write(out, response);
                if ("close".equalsIgnoreCase(request.header("Connection"))) {
                    return;
                }
            }
        } catch (SocketException e) {
            // the peer went away: nothing to answer
        } catch (IOException e) {
            if (!closed) {
                System.err.println("RawHttpServer: " + e);
            }
        } finally {
            open.remove(socket);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        if (c == -1 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static Request read(InputStream in, OutputStream out) throws IOException {
        String requestLine = readLine(in);
        while (requestLine != null && requestLine.isEmpty()) {
            requestLine = readLine(in);
        }
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length < 2) {
            throw new IOException("malformed request line: " + requestLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            // The client holds the body back until told to go on, as S3 and Lambda tell it.
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                if (n == 0) {
                    while ((line = readLine(in)) != null && !line.isEmpty()) {
                        // trailers: ignored
                    }
                    break;
                }
                all.write(in.readNBytes(n));
                readLine(in);
            }
            body = all.toByteArray();
        } else {
            String length = headers.get("content-length");
            body = length == null ? new byte[0] : in.readNBytes(Integer.parseInt(length));
        }
        return new Request(parts[0], parts[1], headers, body);
    }

    private static void write(OutputStream out, Response r) throws IOException {
        StringBuilder head = new StringBuilder();
        head.append("HTTP/1.1 ").append(r.status()).append(' ').append(r.reason()).append("\r\n");
        for (Map.Entry<String, String> h : r.headers()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Content-Length: ").append(r.body().length).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(r.body());
        out.flush();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}

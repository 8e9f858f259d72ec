package io.numpywren.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few IAM (Query protocol: form-encoded POST, XML answers), Lambda (REST-JSON) and Secrets
 * Manager (JSON 1.1: POST with an X-Amz-Target header) operations deploy, destroy, the driver and
 * the worker call, with state, so that a test can run the SDK's real requests against it and
 * check what they asked for. One server serves all three.
 */
final class FakeIamAndLambda implements AutoCloseable {
    static final String ACCOUNT = "123456789012";
    private static final Pattern FUNCTION = Pattern.compile("/2015-03-31/functions/([^/]+)(/code|/configuration)?/?");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call as received: the IAM action or the Lambda method and path, and its parameters or JSON body. */
    record Call(String operation, Map<String, String> params, JsonNode body) {
    }

    record Role(String name, String arn, String trust, Map<String, String> inline, Set<String> attached) {
    }

    private final HttpServer server;
    final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Role> roles = new ConcurrentHashMap<>();
    final Map<String, ObjectNode> functions = new ConcurrentHashMap<>();
    /** Secrets Manager: secret name to its string value. */
    final Map<String, String> secrets = new ConcurrentHashMap<>();

    FakeIamAndLambda() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        // IAM's Query requests are form-encoded POSTs; Lambda's are REST with JSON bodies.
        server.createContext("/", x -> answer(x, x.getRequestHeaders().containsKey("X-Amz-Target") ? this::secrets
                : isForm(x) ? this::iam : this::lambda));
        server.start();
    }

    private interface Handler {
        void handle(HttpExchange x) throws IOException;
    }

    private static boolean isForm(HttpExchange x) {
        String type = x.getRequestHeaders().getFirst("Content-Type");
        return type != null && type.startsWith("application/x-www-form-urlencoded");
    }

    /** A bug in the fake shows as a 500 naming it, not as a dropped connection the SDK retries. */
    private static void answer(HttpExchange x, Handler h) throws IOException {
        try {
            h.handle(x);
        } catch (RuntimeException | IOException e) {
            send(x, 500, "text/plain", "fake IAM/Lambda failed: " + e);
        }
    }

    URI iamEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    URI lambdaEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    URI secretsEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<String> operations() {
        synchronized (calls) {
            return calls.stream().map(Call::operation).toList();
        }
    }

    Call last(String operation) {
        synchronized (calls) {
            for (int i = calls.size() - 1; i >= 0; i--) {
                if (calls.get(i).operation().equals(operation)) {
                    return calls.get(i);
                }
            }
        }
        throw new AssertionError("no " + operation + " call among " + operations());
    }

    // ---------------------------------------------------------------- IAM

    private void iam(HttpExchange x) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        for (String pair : new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                p.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        String action = p.getOrDefault("Action", "");
        calls.add(new Call(action, p, null));
        String name = p.get("RoleName");
        Role role = name == null ? null : roles.get(name);
        if (role == null && !action.equals("CreateRole")) {
            iamError(x, 404, "NoSuchEntity", "The role with name " + name + " cannot be found.");
            return;
        }
        switch (action) {
            case "GetRole" -> iamOk(x, action, roleXml(role));
            case "CreateRole" -> {
                Role r = new Role(name, "arn:aws:iam::" + ACCOUNT + ":role/" + name, p.get("AssumeRolePolicyDocument"),
                        new ConcurrentHashMap<>(), Collections.synchronizedSet(new LinkedHashSet<>()));
                roles.put(name, r);
                iamOk(x, action, roleXml(r));
            }
            case "UpdateAssumeRolePolicy" -> {
                roles.put(name, new Role(name, role.arn(), p.get("PolicyDocument"), role.inline(), role.attached()));
                iamOk(x, action, "");
            }
            case "AttachRolePolicy" -> {
                role.attached().add(p.get("PolicyArn"));
                iamOk(x, action, "");
            }
            case "DetachRolePolicy" -> {
                if (!role.attached().remove(p.get("PolicyArn"))) {
                    iamError(x, 404, "NoSuchEntity", "Policy " + p.get("PolicyArn") + " was not found.");
                    return;
                }
                iamOk(x, action, "");
            }
            case "PutRolePolicy" -> {
                role.inline().put(p.get("PolicyName"), p.get("PolicyDocument"));
                iamOk(x, action, "");
            }
            case "DeleteRolePolicy" -> {
                if (role.inline().remove(p.get("PolicyName")) == null) {
                    iamError(x, 404, "NoSuchEntity", "The role policy with name " + p.get("PolicyName")
                            + " cannot be found.");
                    return;
                }
                iamOk(x, action, "");
            }
            case "DeleteRole" -> {
                if (!role.inline().isEmpty() || !role.attached().isEmpty()) {
                    iamError(x, 409, "DeleteConflict", "Cannot delete entity, must remove policies first.");
                    return;
                }
                roles.remove(name);
                iamOk(x, action, "");
            }
            default -> iamError(x, 400, "InvalidAction", "unknown action " + action);
        }
    }

    private static String roleXml(Role r) {
        return "<Role><Path>/</Path><RoleName>" + r.name() + "</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>" + r.arn()
                + "</Arn><CreateDate>2026-01-01T00:00:00Z</CreateDate></Role>";
    }

    private static void iamOk(HttpExchange x, String action, String result) throws IOException {
        send(x, 200, "text/xml", "<" + action + "Response xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><" + action
                + "Result>" + result + "</" + action + "Result><ResponseMetadata><RequestId>r1</RequestId>"
                + "</ResponseMetadata></" + action + "Response>");
    }

    private static void iamError(HttpExchange x, int status, String code, String message) throws IOException {
        send(x, status, "text/xml", "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
                + "<Type>Sender</Type><Code>" + code + "</Code><Message>" + message + "</Message></Error>"
                + "<RequestId>r1</RequestId></ErrorResponse>");
    }

    // ---------------------------------------------------------------- Secrets Manager

    private void secrets(HttpExchange x) throws IOException {
        String target = x.getRequestHeaders().getFirst("X-Amz-Target");
        String operation = target.substring(target.indexOf('.') + 1);
        JsonNode body = JSON.readTree(x.getRequestBody().readAllBytes());
        calls.add(new Call(operation, Map.of(), body));
        String name = body.has("Name") ? body.get("Name").asText() : body.path("SecretId").asText();
        String arn = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + name + "-AbCdEf";
        ObjectNode answer = JSON.createObjectNode().put("ARN", arn).put("Name", name);
        if (operation.equals("CreateSecret")) {
            if (secrets.putIfAbsent(name, body.get("SecretString").asText()) != null) {
                secretsError(x, "ResourceExistsException", "The operation failed because the secret " + name
                        + " already exists.");
                return;
            }
            send(x, 200, "application/x-amz-json-1.1", answer.put("VersionId", "v1").toString());
            return;
        }
        String value = secrets.get(name);
        if (value == null) {
            secretsError(x, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
            return;
        }
        switch (operation) {
            case "GetSecretValue" -> send(x, 200, "application/x-amz-json-1.1",
                    answer.put("SecretString", value).put("VersionId", "v1").toString());
            case "DescribeSecret" -> send(x, 200, "application/x-amz-json-1.1", answer.toString());
            case "DeleteSecret" -> {
                secrets.remove(name);
                send(x, 200, "application/x-amz-json-1.1", answer.put("DeletionDate", 1.7e9).toString());
            }
            default -> secretsError(x, "InvalidRequestException", "unknown operation " + operation);
        }
    }

    private static void secretsError(HttpExchange x, String type, String message) throws IOException {
        send(x, 400, "application/x-amz-json-1.1", "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }

    // ---------------------------------------------------------------- Lambda

    private void lambda(HttpExchange x) throws IOException {
        String method = x.getRequestMethod();
        String path = x.getRequestURI().getPath();
        byte[] raw = x.getRequestBody().readAllBytes();
        JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
        String operation = method + " " + path.replaceAll("/functions/[^/]+", "/functions/{name}");
        calls.add(new Call(operation, Map.of(), body));
        if (method.equals("POST") && path.equals("/2015-03-31/functions")) {
            String name = body.get("FunctionName").asText();
            if (functions.containsKey(name)) {
                lambdaError(x, 409, "ResourceConflictException", "Function already exist: " + name);
                return;
            }
            ObjectNode conf = JSON.createObjectNode();
            conf.put("FunctionName", name);
            conf.put("FunctionArn", "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:" + name);
            conf.setAll((ObjectNode) body.deepCopy());
            conf.remove("Code");
            conf.put("CodeSize", body.path("Code").path("ZipFile").asText().length() * 3L / 4);
            conf.put("State", "Active");
            conf.put("LastUpdateStatus", "Successful");
            functions.put(name, conf);
            send(x, 201, "application/json", conf.toString());
            return;
        }
        Matcher m = FUNCTION.matcher(path);
        if (!m.matches()) {
            lambdaError(x, 404, "UnknownOperationException", "unknown operation " + method + " " + path);
            return;
        }
        String name = URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
        ObjectNode conf = functions.get(name);
        if (conf == null) {
            lambdaError(x, 404, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:" + ACCOUNT
                    + ":function:" + name);
            return;
        }
        String sub = m.group(2) == null ? "" : m.group(2);
        switch (method + " " + sub) {
            case "GET " -> {
                ObjectNode answer = JSON.createObjectNode();
                answer.set("Configuration", conf);
                answer.putObject("Code").put("RepositoryType", "S3").put("Location", "https://example.invalid/code");
                send(x, 200, "application/json", answer.toString());
            }
            case "PUT /code" -> {
                conf.put("CodeSize", body.path("ZipFile").asText().length() * 3L / 4);
                send(x, 200, "application/json", conf.toString());
            }
            case "PUT /configuration" -> {
                conf.setAll((ObjectNode) body.deepCopy());
                send(x, 200, "application/json", conf.toString());
            }
            case "DELETE " -> {
                functions.remove(name);
                x.sendResponseHeaders(204, -1);
                x.close();
            }
            default -> lambdaError(x, 404, "UnknownOperationException", "unknown operation " + method + " " + path);
        }
    }

    private static void lambdaError(HttpExchange x, int status, String type, String message) throws IOException {
        x.getResponseHeaders().add("x-amzn-ErrorType", type);
        send(x, status, "application/json", "{\"Type\":\"User\",\"message\":\"" + message + "\"}");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", type);
        x.getResponseHeaders().add("x-amzn-RequestId", "r1");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
        x.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}

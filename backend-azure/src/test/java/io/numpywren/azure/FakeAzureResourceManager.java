package io.numpywren.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Azure Resource Manager's REST API that {@code azure deploy} and {@code destroy}
 * call, over plain HTTP: resources kept by id (PUT creates or replaces and answers Succeeded,
 * GET answers 404 for what is not there, DELETE takes a resource's children with it), plus what
 * ARM does beyond that and a deploy meets: a site's system-assigned identity, a secret's value
 * never answered back, host keys, a key vault's soft delete (recover, purge, and a name refused
 * while a deleted vault holds it), role assignments refused for a principal Entra ID does not
 * know yet or for a name already given to another principal, and an {@code api-version} on every
 * call. It serves the app's deployment endpoint too ({@code /scm/<app>/api/publish}).
 */
public final class FakeAzureResourceManager implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DELETED_VAULT =
            Pattern.compile("/subscriptions/[^/]+/providers/microsoft\\.keyvault/locations/([^/]+)/deletedvaults/([^/]+)(/purge)?");
    private static final Pattern HOST_KEY = Pattern.compile("(.*/sites/[^/]+)/host/default/functionkeys/([^/]+)");
    private static final Pattern SCM = Pattern.compile("/scm/([^/]+)/api/(publish|deployments/latest)");

    private final HttpServer server;
    /** Resources by lowercased id. */
    final Map<String, ObjectNode> resources = new ConcurrentSkipListMap<>();
    /** Secret values by lowercased secret id: ARM takes them but never answers them. */
    public final Map<String, String> secretValues = new ConcurrentHashMap<>();
    /** Function keys by lowercased site id. */
    final Map<String, Map<String, String>> hostKeys = new ConcurrentHashMap<>();
    /** Soft-deleted vaults by name. */
    final Map<String, ObjectNode> deletedVaults = new ConcurrentHashMap<>();
    /** Published packages by app name. */
    final Map<String, byte[]> packages = new ConcurrentHashMap<>();
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** When set, the first role assignment for a site's new identity is refused as Entra ID's replicas do. */
    final AtomicBoolean principalNotFoundOnce = new AtomicBoolean();
    private final Map<String, Boolean> principalsSeen = new ConcurrentHashMap<>();

    public FakeAzureResourceManager() throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    /** The least package deploy takes as a function app: host.json, task/function.json and a jar, in {@code dir}. */
    public static java.nio.file.Path minimalApp(java.nio.file.Path dir) throws IOException {
        java.nio.file.Path zip = dir.resolve("app.zip");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(zip))) {
            z.putNextEntry(new java.util.zip.ZipEntry("host.json"));
            z.write("{\"version\": \"2.0\"}".getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new java.util.zip.ZipEntry(WorkerFunction.NAME + "/function.json"));
            z.write("{}".getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new java.util.zip.ZipEntry("numpywren-worker.jar"));
            z.write("the function's jar".getBytes(StandardCharsets.UTF_8));
        }
        return zip;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public URI scmUrl(String app) {
        return URI.create(endpoint() + "/scm/" + app);
    }

    public JsonNode resource(String id) {
        return resources.get(id.toLowerCase(Locale.ROOT));
    }

    /** Resources whose id contains {@code part}, such as "/roleassignments/". */
    public List<JsonNode> resourcesWith(String part) {
        List<JsonNode> found = new ArrayList<>();
        resources.forEach((id, r) -> {
            if (id.contains(part.toLowerCase(Locale.ROOT))) {
                found.add(r);
            }
        });
        return found;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            // The raw request target: a scope's leading slash after the template's makes "//subscriptions/...",
            // which URI parsing would take for an authority.
            String target = ex.getRequestURI().toString();
            String path = target.replaceAll("\\?.*$", "").replaceAll("/{2,}", "/").replaceAll("/$", "");
            String method = ex.getRequestMethod();
            calls.add(method + " " + path);
            byte[] body = ex.getRequestBody().readAllBytes();
            Matcher scm = SCM.matcher(path);
            if (scm.matches()) {
                scm(ex, method, scm.group(1), scm.group(2), body);
                return;
            }
            if (!target.contains("?api-version=") && !target.contains("&api-version=")) {
                error(ex, 400, "MissingApiVersionParameter", "The api-version query parameter is required");
                return;
            }
            String id = path.toLowerCase(Locale.ROOT);
            Matcher deleted = DELETED_VAULT.matcher(id);
            if (deleted.matches()) {
                deletedVault(ex, method, deleted.group(2), deleted.group(3) != null);
                return;
            }
            if (id.endsWith("/host/default/listkeys") && method.equals("POST")) {
                String site = id.substring(0, id.length() - "/host/default/listkeys".length());
                if (!resources.containsKey(site)) {
                    notFound(ex, path);
                    return;
                }
                ObjectNode keys = JSON.createObjectNode().put("masterKey", "master");
                ObjectNode functionKeys = keys.putObject("functionKeys");
                hostKeys.getOrDefault(site, Map.of()).forEach(functionKeys::put);
                answer(ex, 200, keys);
                return;
            }
            Matcher hostKey = HOST_KEY.matcher(id);
            if (hostKey.matches() && method.equals("PUT")) {
                String site = hostKey.group(1);
                if (!resources.containsKey(site)) {
                    notFound(ex, path);
                    return;
                }
                JsonNode sent = JSON.readTree(body);
                JsonNode given = sent.has("properties") ? sent.path("properties") : sent;
                hostKeys.computeIfAbsent(site, k -> new ConcurrentHashMap<>()).put(hostKey.group(2), given.path("value").asText());
                answer(ex, 200, given);
                return;
            }
            switch (method) {
                case "GET" -> {
                    ObjectNode r = resources.get(id);
                    if (r == null) {
                        notFound(ex, path);
                    } else {
                        answer(ex, 200, r);
                    }
                }
                case "PUT" -> put(ex, path, id, body);
                case "DELETE" -> {
                    boolean existed = resources.containsKey(id);
                    if (isVault(id) && existed) {
                        ObjectNode vault = resources.get(id);
                        deletedVaults.put(vault.path("name").asText().toLowerCase(Locale.ROOT), vault);
                    }
                    resources.keySet().removeIf(k -> k.equals(id) || k.startsWith(id + "/"));
                    secretValues.keySet().removeIf(k -> k.startsWith(id + "/"));
                    hostKeys.keySet().removeIf(k -> k.equals(id));
                    if (id.contains("/roleassignments/") && existed) {
                        ObjectNode answer = JSON.createObjectNode();
                        answer.put("id", path);
                        answer(ex, 200, answer);
                    } else {
                        ex.sendResponseHeaders(existed ? 200 : 204, -1);
                    }
                }
                default -> error(ex, 405, "MethodNotAllowed", method + " " + path);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private void put(HttpExchange ex, String path, String id, byte[] body) throws IOException {
        ObjectNode r = body.length == 0 ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(body);
        String name = path.substring(path.lastIndexOf('/') + 1);
        ObjectNode previous = resources.get(id);
        if (isVault(id)) {
            boolean recover = "recover".equalsIgnoreCase(r.path("properties").path("createMode").asText());
            boolean deleted = deletedVaults.containsKey(name.toLowerCase(Locale.ROOT));
            if (deleted && !recover) {
                error(ex, 409, "ConflictError", "A vault with the same name already exists in deleted state. "
                        + "You need to either recover or purge existing key vault.");
                return;
            }
            if (recover && !deleted) {
                error(ex, 400, "BadRequest", "There is no deleted vault named " + name + " to recover");
                return;
            }
            deletedVaults.remove(name.toLowerCase(Locale.ROOT));
            r.with("properties").put("vaultUri", "https://" + name + ".vault.azure.net/");
        }
        if (id.contains("/providers/microsoft.authorization/roleassignments/")) {
            if (!roleAssignmentAllowed(ex, id, r)) {
                return;
            }
            r.with("properties").put("scope", path.substring(0, path.toLowerCase(Locale.ROOT)
                    .indexOf("/providers/microsoft.authorization/roleassignments/")));
        }
        if (id.contains("/secrets/")) {
            secretValues.put(id, r.path("properties").path("value").asText());
            r.with("properties").remove("value");
        }
        if (id.matches(".*/providers/microsoft\\.web/sites/[^/]+")) {
            String principal = previous != null && previous.path("identity").has("principalId")
                    ? previous.path("identity").path("principalId").asText() : UUID.randomUUID().toString();
            if ("SystemAssigned".equalsIgnoreCase(r.path("identity").path("type").asText())) {
                r.with("identity").put("principalId", principal).put("tenantId", "00000000-0000-0000-0000-0000000000aa");
            }
            r.with("properties").put("defaultHostName", name + ".azurewebsites.net");
        }
        if (id.endsWith("/config/appsettings")) {
            String site = id.substring(0, id.length() - "/config/appsettings".length());
            if (!resources.containsKey(site)) {
                notFound(ex, path);
                return;
            }
        }
        r.put("id", path);
        r.put("name", name);
        if (!id.endsWith("/config/appsettings") && !id.contains("/roleassignments/") && !id.contains("/secrets/")) {
            r.with("properties").put("provisioningState", "Succeeded");
        }
        resources.put(id, r);
        // 200 whether new or not: each operation's spec allows it (some allow 201, others 202, never both).
        answer(ex, 200, r);
    }

    /** ARM's checks on a role assignment: a known principal, and one name for one (principal, role, scope). */
    private boolean roleAssignmentAllowed(HttpExchange ex, String id, ObjectNode r) throws IOException {
        String principal = r.path("properties").path("principalId").asText();
        boolean ofASite = "ServicePrincipal".equals(r.path("properties").path("principalType").asText());
        if (ofASite && principalNotFoundOnce.get() && principalsSeen.putIfAbsent(principal, true) == null) {
            error(ex, 400, "PrincipalNotFound", "Principal " + principal + " does not exist in the directory");
            return false;
        }
        ObjectNode existing = resources.get(id);
        if (existing != null && !existing.path("properties").path("principalId").asText().equals(principal)) {
            error(ex, 409, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are "
                    + "not allowed to be updated.");
            return false;
        }
        String scope = id.substring(0, id.indexOf("/providers/microsoft.authorization/roleassignments/"));
        String role = r.path("properties").path("roleDefinitionId").asText();
        for (Map.Entry<String, ObjectNode> e : resources.entrySet()) {
            JsonNode p = e.getValue().path("properties");
            if (!e.getKey().equals(id) && e.getKey().startsWith(scope + "/providers/microsoft.authorization/roleassignments/")
                    && p.path("principalId").asText().equals(principal) && p.path("roleDefinitionId").asText().equals(role)) {
                error(ex, 409, "RoleAssignmentExists", "The role assignment already exists.");
                return false;
            }
        }
        return true;
    }

    private void deletedVault(HttpExchange ex, String method, String name, boolean purge) throws IOException {
        ObjectNode vault = deletedVaults.get(name);
        if (vault == null) {
            error(ex, 404, "ResourceNotFound", "The deleted vault " + name + " was not found");
        } else if (purge && method.equals("POST")) {
            deletedVaults.remove(name);
            ex.sendResponseHeaders(200, -1);
        } else if (!purge && method.equals("GET")) {
            ObjectNode d = JSON.createObjectNode().put("name", name);
            d.putObject("properties").put("vaultId", vault.path("id").asText()).put("location", vault.path("location").asText());
            answer(ex, 200, d);
        } else {
            error(ex, 405, "MethodNotAllowed", method);
        }
    }

    private void scm(HttpExchange ex, String method, String app, String what, byte[] body) throws IOException {
        boolean appExists = resources.keySet().stream().anyMatch(k -> k.endsWith("/providers/microsoft.web/sites/"
                + app.toLowerCase(Locale.ROOT)));
        if (!appExists) {
            error(ex, 404, "NotFound", "no app " + app);
        } else if (what.equals("publish") && method.equals("POST")) {
            packages.put(app, body);
            ex.sendResponseHeaders(202, -1);
        } else if (what.equals("deployments/latest") && method.equals("GET") && packages.containsKey(app)) {
            answer(ex, 200, JSON.createObjectNode().put("status", 4).put("complete", true).put("status_text", ""));
        } else {
            error(ex, 404, "NotFound", method + " " + what);
        }
    }

    private static boolean isVault(String id) {
        return id.matches(".*/providers/microsoft\\.keyvault/vaults/[^/]+");
    }

    private static void notFound(HttpExchange ex, String path) throws IOException {
        error(ex, 404, "ResourceNotFound", "The resource '" + path + "' was not found.");
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("code", code).put("message", message);
        answer(ex, status, e);
    }

    private static void answer(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}

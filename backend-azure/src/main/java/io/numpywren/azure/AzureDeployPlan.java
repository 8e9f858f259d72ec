package io.numpywren.azure;

import io.numpywren.kernel.LinearAlgebraProviders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * What {@code numpywren azure deploy} and {@code destroy} do, computed from the settings alone (no
 * Azure call, no credentials): the resource group; the blocks' storage account and container; the
 * function host's own storage account; the key vault with the task-signing key and the function
 * key; a Flex Consumption plan and function app with a system-assigned identity; that identity's
 * roles (Blob data on the blocks' container only, the host's account, the vault's secrets); the
 * same for whoever runs jobs; the app's settings; and the code.
 */
public final class AzureDeployPlan {
    public static final String RUNTIME = "java";
    public static final String RUNTIME_VERSION = "17";
    /** The function key's name in the app's host keys; its value is the vault's numpywren-function-key. */
    public static final String FUNCTION_KEY_NAME = "numpywren";
    /** The host account's container holding the deployed package (Flex Consumption runs from it). */
    public static final String PACKAGE_CONTAINER = "app-package";
    // Azure's built-in roles, by their fixed ids.
    public static final Role BLOB_DATA_CONTRIBUTOR = new Role("Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe");
    public static final Role BLOB_DATA_OWNER = new Role("Storage Blob Data Owner", "b7e6dc6d-f1e8-4753-8033-0f276bb0955b");
    public static final Role SECRETS_USER = new Role("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6");

    /** A built-in role. */
    public record Role(String name, String id) {
    }

    /** Who is granted what where: {@code who} is "app" (the function app's identity) or "driver". */
    public record Grant(String who, Role role, String scope, String scopeName) {
    }

    private final AzureDeploySettings settings;
    private final String root;
    private final String kernelProvider;
    private final Path artifact;
    private final long artifactBytes;

    private AzureDeployPlan(AzureDeploySettings settings, String root, String kernelProvider, Path artifact, long bytes) {
        this.settings = settings;
        this.root = root;
        this.kernelProvider = kernelProvider;
        this.artifact = artifact;
        this.artifactBytes = bytes;
    }

    /**
     * A deploy plan: the app's package must exist and hold a function app (host.json, task/function.json).
     *
     * @param root           the namespace every task must lie in (numpywren.namespace)
     * @param kernelProvider auto, openblas or netlib
     */
    public static AzureDeployPlan deploy(AzureDeploySettings settings, String root, String kernelProvider, Path artifact) {
        String providerProblem = LinearAlgebraProviders.functionChoiceProblem(kernelProvider, "the function's jar");
        if (providerProblem != null) {
            throw new IllegalArgumentException(providerProblem);
        }
        if (artifact == null || !Files.isRegularFile(artifact)) {
            throw new IllegalArgumentException("the function app's package " + artifact + " does not exist: build it with "
                    + "'mvn -B -pl backend-azure -am package -DskipTests' (it is backend-azure/target/"
                    + "numpywren-backend-azure-<version>-app.zip) or name it with --artifact");
        }
        Set<String> entries = new TreeSet<>();
        try (ZipFile zip = new ZipFile(artifact.toFile(), StandardCharsets.UTF_8)) {
            zip.stream().map(ZipEntry::getName).forEach(entries::add);
            for (String needed : List.of("host.json", WorkerFunction.NAME + "/function.json")) {
                if (!entries.contains(needed)) {
                    throw new IllegalArgumentException("the function app's package " + artifact + " has no " + needed
                            + ": it is not the app zip backend-azure builds");
                }
            }
            return new AzureDeployPlan(settings, root, kernelProvider, artifact, Files.size(artifact));
        } catch (IOException e) {
            throw new IllegalArgumentException("the function app's package " + artifact + " is not a readable zip: "
                    + e.getMessage(), e);
        }
    }

    /** A destroy plan: no package. */
    public static AzureDeployPlan destroy(AzureDeploySettings settings) {
        return new AzureDeployPlan(settings, "", "auto", null, 0);
    }

    public AzureDeploySettings settings() {
        return settings;
    }

    public Path artifact() {
        return artifact;
    }

    private AzureSettings backend() {
        return settings.backend();
    }

    public String groupId() {
        return "/subscriptions/" + backend().subscription() + "/resourceGroups/" + backend().resourceGroup();
    }

    public String accountId(String account) {
        return groupId() + "/providers/Microsoft.Storage/storageAccounts/" + account;
    }

    /** The blocks' container as a role assignment's scope. */
    public String containerScope() {
        return accountId(backend().storageAccount()) + "/blobServices/default/containers/" + backend().container();
    }

    public String vaultId() {
        return groupId() + "/providers/Microsoft.KeyVault/vaults/" + backend().keyVault();
    }

    public String planName() {
        return backend().appName() + "-plan";
    }

    /** Where Flex Consumption keeps the deployed package. */
    public String packageContainerUrl() {
        return "https://" + settings.hostStorageAccount() + ".blob.core.windows.net/" + PACKAGE_CONTAINER;
    }

    /** A secret's URI without a version: the Key Vault reference follows its latest. */
    public String secretUri(String secret) {
        return "https://" + backend().keyVault() + ".vault.azure.net/secrets/" + secret + "/";
    }

    /** Every role granted, in the order deploy grants them. */
    public List<Grant> grants() {
        // The role's scope is the whole container: Azure RBAC scopes stop at containers (a prefix would need an ABAC condition).
        String container = "the container " + backend().container() + " of " + backend().storageAccount()
                + (backend().prefix().isEmpty() ? "" : " (the blocks live below " + backend().prefix() + "/)");
        String host = "the storage account " + settings.hostStorageAccount();
        String vault = "the key vault " + backend().keyVault();
        return List.of(
                new Grant("app", BLOB_DATA_CONTRIBUTOR, containerScope(), container),
                new Grant("app", BLOB_DATA_OWNER, accountId(settings.hostStorageAccount()), host),
                new Grant("app", SECRETS_USER, vaultId(), vault),
                new Grant("driver", BLOB_DATA_CONTRIBUTOR, containerScope(), container),
                new Grant("driver", SECRETS_USER, vaultId(), vault));
    }

    /**
     * A grant's role-assignment name: a UUID fixed by the app, grantee, role and scope, so a redeploy
     * finds its own assignments and destroy removes them without asking who the grantee was.
     */
    public String assignmentName(Grant g) {
        String key = backend().appName() + "|" + g.who() + "|" + g.role().id() + "|" + g.scope().toLowerCase(Locale.ROOT);
        return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
    }

    public String roleDefinitionId(Role role) {
        return "/subscriptions/" + backend().subscription() + "/providers/Microsoft.Authorization/roleDefinitions/" + role.id();
    }

    /** The app's settings: the host's storage by identity, where the blocks are, and the key as a vault reference. */
    public Map<String, String> appSettings() {
        AzureSettings s = backend();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AzureWebJobsStorage__accountName", settings.hostStorageAccount());
        env.put(WorkerSettings.CONTAINER, s.container());
        if (!s.prefix().isEmpty()) {
            env.put(WorkerSettings.PREFIX, s.prefix());
        }
        env.put(WorkerSettings.BLOB_ENDPOINT, s.blobEndpoint().toString());
        if (!root.isEmpty()) {
            env.put(WorkerSettings.ROOT, root);
        }
        env.put(WorkerSettings.KERNEL_PROVIDER, kernelProvider);
        env.put(WorkerSettings.TASK_KEY, "@Microsoft.KeyVault(SecretUri=" + secretUri(AzureSettings.TASK_KEY_SECRET) + ")");
        return env;
    }

    /** The steps of a deploy, as printed before anything is done. */
    public List<String> deploySteps() {
        AzureSettings s = backend();
        AzureDeploySettings d = settings;
        List<String> lines = new ArrayList<>();
        lines.add("subscription " + s.subscription() + ", region " + s.region() + "; calls made with DefaultAzureCredential");
        lines.add("1. resource group " + s.resourceGroup() + ": create it unless it exists");
        lines.add("2. storage account " + s.storageAccount() + " (the blocks): create it unless it exists (StorageV2, "
                + "Standard_LRS, HTTPS and TLS 1.2 only, no public access, no shared keys), and its container " + s.container());
        lines.add("3. storage account " + d.hostStorageAccount() + " (the Functions host's state and the app's package): "
                + "create it unless it exists, with its container " + PACKAGE_CONTAINER);
        lines.add("4. key vault " + s.keyVault() + ": create it unless it exists (Azure RBAC, soft delete 7 days), "
                + "or recover it if a destroy left it deleted");
        lines.add("   secret " + AzureSettings.TASK_KEY_SECRET + ": a new random 256-bit key unless it exists (never printed);");
        lines.add("   every task is signed with it, and the function refuses any task that is not");
        lines.add("5. Flex Consumption plan " + planName() + " (FC1, Linux)");
        lines.add("6. function app " + s.appName() + ": create it, or update its configuration");
        lines.add("   runtime:       " + RUNTIME + " " + RUNTIME_VERSION + ", HTTPS only, system-assigned managed identity");
        lines.add("   memory:        " + s.memoryMb() + " MB per instance");
        lines.add("   instances:     at most " + s.concurrency() + ", one request each");
        lines.add("   package:       " + packageContainerUrl() + ", read with the app's identity");
        lines.add("7. roles (Azure RBAC), each on its scope only:");
        for (Grant g : grants()) {
            lines.add("   " + (g.who().equals("app") ? "the app's identity" : "the driver (" + driverName() + ")") + ": "
                    + g.role().name() + " on " + g.scopeName());
        }
        lines.add("8. app settings:");
        appSettings().forEach((k, v) -> lines.add("   " + k + "=" + v));
        lines.add("9. publish the app's package: " + artifact + " (" + megabytes(artifactBytes) + ") to " + d.scmUrl()
                + "/api/publish, and wait until it is deployed");
        lines.add("10. function key '" + FUNCTION_KEY_NAME + "': a new random key in the app's host keys and in secret "
                + AzureSettings.FUNCTION_KEY_SECRET + ", unless both exist (never printed)");
        lines.add("the app's URL: " + s.url() + " (requests need the function key)");
        return lines;
    }

    /** The steps of a destroy, as printed before anything is done. */
    public List<String> destroySteps() {
        AzureSettings s = backend();
        List<String> lines = new ArrayList<>();
        lines.add("subscription " + s.subscription() + ", region " + s.region() + "; calls made with DefaultAzureCredential");
        lines.add("1. remove the roles deploy gave the app and the driver (on the container " + s.container() + " of "
                + s.storageAccount() + ", the host account and the vault)");
        lines.add("2. delete the function app " + s.appName() + " and its plan " + planName());
        lines.add("3. delete the key vault " + s.keyVault() + " with both keys, and purge it (a later deploy makes new keys)");
        lines.add("4. delete the storage account " + settings.hostStorageAccount() + " (the host's state and the package)");
        lines.add("kept: the resource group " + s.resourceGroup() + ", the storage account " + s.storageAccount()
                + " and every block in " + s.location());
        return lines;
    }

    private String driverName() {
        return settings.driverPrincipal().isEmpty() ? "the signed-in principal" : settings.driverPrincipal();
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    /** Reads a file's bytes or says which file could not be read. */
    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}

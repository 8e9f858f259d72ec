package io.numpywren.azure;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.appservice.AppServiceManager;
import com.azure.resourcemanager.appservice.fluent.WebAppsClient;
import com.azure.resourcemanager.appservice.fluent.models.AppServicePlanInner;
import com.azure.resourcemanager.appservice.fluent.models.HostKeysInner;
import com.azure.resourcemanager.appservice.fluent.models.KeyInfoInner;
import com.azure.resourcemanager.appservice.fluent.models.SiteInner;
import com.azure.resourcemanager.appservice.fluent.models.StringDictionaryInner;
import com.azure.resourcemanager.appservice.models.AuthenticationType;
import com.azure.resourcemanager.appservice.models.FunctionAppConfig;
import com.azure.resourcemanager.appservice.models.FunctionsDeployment;
import com.azure.resourcemanager.appservice.models.FunctionsDeploymentStorage;
import com.azure.resourcemanager.appservice.models.FunctionsDeploymentStorageAuthentication;
import com.azure.resourcemanager.appservice.models.FunctionsDeploymentStorageType;
import com.azure.resourcemanager.appservice.models.FunctionsRuntime;
import com.azure.resourcemanager.appservice.models.FunctionsScaleAndConcurrency;
import com.azure.resourcemanager.appservice.models.FunctionsScaleAndConcurrencyTriggers;
import com.azure.resourcemanager.appservice.models.FunctionsScaleAndConcurrencyTriggersHttp;
import com.azure.resourcemanager.appservice.models.ManagedServiceIdentity;
import com.azure.resourcemanager.appservice.models.ManagedServiceIdentityType;
import com.azure.resourcemanager.appservice.models.RuntimeName;
import com.azure.resourcemanager.appservice.models.SkuDescription;
import com.azure.resourcemanager.authorization.AuthorizationManager;
import com.azure.resourcemanager.authorization.fluent.RoleAssignmentsClient;
import com.azure.resourcemanager.authorization.fluent.models.RoleAssignmentInner;
import com.azure.resourcemanager.authorization.models.PrincipalType;
import com.azure.resourcemanager.authorization.models.RoleAssignmentCreateParameters;
import com.azure.resourcemanager.keyvault.KeyVaultManager;
import com.azure.resourcemanager.keyvault.fluent.SecretsClient;
import com.azure.resourcemanager.keyvault.models.CreateMode;
import com.azure.resourcemanager.keyvault.models.SecretCreateOrUpdateParameters;
import com.azure.resourcemanager.keyvault.models.SecretProperties;
import com.azure.resourcemanager.keyvault.models.Sku;
import com.azure.resourcemanager.keyvault.models.SkuFamily;
import com.azure.resourcemanager.keyvault.models.SkuName;
import com.azure.resourcemanager.keyvault.models.VaultCreateOrUpdateParameters;
import com.azure.resourcemanager.keyvault.models.VaultProperties;
import com.azure.resourcemanager.resources.ResourceManager;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import com.azure.resourcemanager.storage.StorageManager;
import com.azure.resourcemanager.storage.fluent.models.BlobContainerInner;
import com.azure.resourcemanager.storage.models.Kind;
import com.azure.resourcemanager.storage.models.MinimumTlsVersion;
import com.azure.resourcemanager.storage.models.StorageAccountCreateParameters;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.task.TaskSigner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Carries out an {@link AzureDeployPlan} through Azure Resource Manager's Java clients (resources,
 * storage, key vault, app service, authorization) and the app's deployment endpoint. Credentials
 * come from DefaultAzureCredential (none for a plain-HTTP stand-in); no key is ever printed. Every
 * step is idempotent: deploy keeps what exists and updates the app; destroy skips what is gone.
 */
public final class AzureDeployer {
    /** The deployed app. */
    public record Deployed(String app, String url, String principalId) {
    }

    private static final String MANAGEMENT_SCOPE = "https://management.azure.com/.default";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AzureDeploySettings settings;
    private final TokenCredential credential;
    private final HttpPipeline pipeline;
    private final ResourceManager resources;
    private final StorageManager storage;
    private final KeyVaultManager keyVaults;
    private final AppServiceManager appService;
    private final AuthorizationManager authorization;
    private final Duration principalWait;
    private final Duration publishWait;

    public AzureDeployer(AzureDeploySettings settings) {
        this(settings, Duration.ofMinutes(3), Duration.ofMinutes(15));
    }

    /**
     * @param principalWait how long a new identity may take to reach Entra ID's replicas before a role can name it
     * @param publishWait   how long the app's package may take to deploy
     */
    AzureDeployer(AzureDeploySettings settings, Duration principalWait, Duration publishWait) {
        this.settings = settings;
        this.principalWait = principalWait;
        this.publishWait = publishWait;
        this.credential = settings.signedIn() ? new DefaultAzureCredentialBuilder().build() : null;
        List<HttpPipelinePolicy> policies = new ArrayList<>();
        policies.add(new UserAgentPolicy("numpywren-deploy"));
        policies.add(new RetryPolicy());
        if (credential != null) {
            policies.add(new BearerTokenAuthenticationPolicy(credential, MANAGEMENT_SCOPE));
        }
        this.pipeline = new HttpPipelineBuilder().httpClient(new JdkHttpClientBuilder().build())
                .policies(policies.toArray(HttpPipelinePolicy[]::new)).build();
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", settings.managementEndpoint().toString());
        AzureEnvironment environment = settings.managementEndpoint().equals(AzureDeploySettings.PUBLIC_MANAGEMENT)
                ? AzureEnvironment.AZURE : new AzureEnvironment(endpoints);
        AzureProfile profile = new AzureProfile(settings.tenant().isEmpty() ? null : settings.tenant(),
                settings.backend().subscription(), environment);
        this.resources = ResourceManager.authenticate(pipeline, profile).withSubscription(settings.backend().subscription());
        this.storage = StorageManager.authenticate(pipeline, profile);
        this.keyVaults = KeyVaultManager.authenticate(pipeline, profile);
        this.appService = AppServiceManager.authenticate(pipeline, profile);
        this.authorization = AuthorizationManager.authenticate(pipeline, profile);
    }

    /** Creates or updates everything the plan names, telling {@code log} each step as it is done. */
    public Deployed deploy(AzureDeployPlan plan, Consumer<String> log) {
        AzureSettings s = settings.backend();
        String group = s.resourceGroup();
        Signer signer = signedInPrincipal();

        if (find(() -> resources.serviceClient().getResourceGroups().get(group)) == null) {
            resources.serviceClient().getResourceGroups().createOrUpdate(group, new ResourceGroupInner().withLocation(s.region()));
            log.accept("created resource group " + group);
        } else {
            log.accept("resource group " + group + " exists");
        }
        ensureAccount(s.storageAccount(), log);
        ensureContainer(s.storageAccount(), s.container(), log);
        ensureAccount(settings.hostStorageAccount(), log);
        ensureContainer(settings.hostStorageAccount(), AzureDeployPlan.PACKAGE_CONTAINER, log);
        ensureVault(signer.tenant(), log);
        SecretsClient secrets = keyVaults.serviceClient().getSecrets();
        if (find(() -> secrets.get(group, s.keyVault(), AzureSettings.TASK_KEY_SECRET)) == null) {
            putSecret(AzureSettings.TASK_KEY_SECRET, TaskSigner.newKey());
            log.accept("created the task-signing key in secret " + AzureSettings.TASK_KEY_SECRET);
        } else {
            log.accept("kept the task-signing key in secret " + AzureSettings.TASK_KEY_SECRET);
        }

        AppServicePlanInner farm = appService.serviceClient().getAppServicePlans().createOrUpdate(group, plan.planName(),
                new AppServicePlanInner().withLocation(s.region()).withKind("functionapp")
                        .withSku(new SkuDescription().withName("FC1").withTier("FlexConsumption")).withReserved(true));
        log.accept("Flex Consumption plan " + plan.planName() + " ready");
        WebAppsClient apps = appService.serviceClient().getWebApps();
        boolean existed = find(() -> apps.getByResourceGroup(group, s.appName())) != null;
        SiteInner site = apps.createOrUpdate(group, s.appName(), site(plan, farm.id()));
        String principal = site.identity() == null ? null : site.identity().principalId();
        if (principal == null) {
            throw new IllegalStateException("the function app " + s.appName() + " came back without a managed identity");
        }
        log.accept((existed ? "updated" : "created") + " function app " + s.appName() + " (identity " + principal + ")");

        for (AzureDeployPlan.Grant g : plan.grants()) {
            grant(plan, g, g.who().equals("app") ? principal : signer.objectId(), log);
        }
        apps.updateApplicationSettings(group, s.appName(), new StringDictionaryInner().withProperties(plan.appSettings()));
        log.accept("set the app's settings (the task key as a Key Vault reference)");
        publish(plan, log);
        ensureFunctionKey(apps, secrets, log);
        return new Deployed(s.appName(), s.url().toString(), principal);
    }

    /** Removes what deploy made but the blocks' account and container, telling {@code log} each step. */
    public void destroy(AzureDeployPlan plan, Consumer<String> log) {
        AzureSettings s = settings.backend();
        String group = s.resourceGroup();
        RoleAssignmentsClient roles = authorization.roleServiceClient().getRoleAssignments();
        for (AzureDeployPlan.Grant g : plan.grants()) {
            String name = plan.assignmentName(g);
            if (find(() -> roles.get(g.scope(), name)) != null) {
                roles.delete(g.scope(), name);
                log.accept("removed " + g.role().name() + " of the " + g.who() + " on " + g.scopeName());
            }
        }
        WebAppsClient apps = appService.serviceClient().getWebApps();
        if (find(() -> apps.getByResourceGroup(group, s.appName())) != null) {
            apps.delete(group, s.appName());
            log.accept("deleted function app " + s.appName());
        } else {
            log.accept("no function app " + s.appName());
        }
        if (find(() -> appService.serviceClient().getAppServicePlans().getByResourceGroup(group, plan.planName())) != null) {
            appService.serviceClient().getAppServicePlans().delete(group, plan.planName());
            log.accept("deleted plan " + plan.planName());
        }
        var vaults = keyVaults.serviceClient().getVaults();
        if (find(() -> vaults.getByResourceGroup(group, s.keyVault())) != null) {
            vaults.delete(group, s.keyVault());
            log.accept("deleted key vault " + s.keyVault());
        } else {
            log.accept("no key vault " + s.keyVault());
        }
        if (find(() -> vaults.getDeleted(s.keyVault(), s.region())) != null) {
            vaults.purgeDeleted(s.keyVault(), s.region());
            log.accept("purged key vault " + s.keyVault());
        }
        var accounts = storage.serviceClient().getStorageAccounts();
        if (find(() -> accounts.getByResourceGroup(group, settings.hostStorageAccount())) != null) {
            accounts.delete(group, settings.hostStorageAccount());
            log.accept("deleted storage account " + settings.hostStorageAccount());
        }
        log.accept("kept storage account " + s.storageAccount() + " and " + s.location());
    }

    private SiteInner site(AzureDeployPlan plan, String farmId) {
        AzureSettings s = settings.backend();
        FunctionAppConfig config = new FunctionAppConfig()
                .withDeployment(new FunctionsDeployment().withStorage(new FunctionsDeploymentStorage()
                        .withType(FunctionsDeploymentStorageType.BLOB_CONTAINER).withValue(plan.packageContainerUrl())
                        .withAuthentication(new FunctionsDeploymentStorageAuthentication()
                                .withType(AuthenticationType.SYSTEM_ASSIGNED_IDENTITY))))
                .withRuntime(new FunctionsRuntime().withName(RuntimeName.JAVA).withVersion(AzureDeployPlan.RUNTIME_VERSION))
                .withScaleAndConcurrency(new FunctionsScaleAndConcurrency().withMaximumInstanceCount(s.concurrency())
                        .withInstanceMemoryMB(s.memoryMb()).withTriggers(new FunctionsScaleAndConcurrencyTriggers()
                                .withHttp(new FunctionsScaleAndConcurrencyTriggersHttp().withPerInstanceConcurrency(1))));
        return new SiteInner().withLocation(s.region()).withKind("functionapp,linux")
                .withIdentity(new ManagedServiceIdentity().withType(ManagedServiceIdentityType.SYSTEM_ASSIGNED))
                .withServerFarmId(farmId).withHttpsOnly(true).withFunctionAppConfig(config);
    }

    private void ensureAccount(String account, Consumer<String> log) {
        String group = settings.backend().resourceGroup();
        var accounts = storage.serviceClient().getStorageAccounts();
        if (find(() -> accounts.getByResourceGroup(group, account)) != null) {
            log.accept("storage account " + account + " exists");
            return;
        }
        accounts.create(group, account, new StorageAccountCreateParameters()
                .withSku(new com.azure.resourcemanager.storage.models.Sku()
                        .withName(com.azure.resourcemanager.storage.models.SkuName.STANDARD_LRS))
                .withKind(Kind.STORAGE_V2).withLocation(settings.backend().region()).withEnableHttpsTrafficOnly(true)
                .withMinimumTlsVersion(MinimumTlsVersion.TLS1_2).withAllowBlobPublicAccess(false)
                .withAllowSharedKeyAccess(false));
        log.accept("created storage account " + account);
    }

    private void ensureContainer(String account, String container, Consumer<String> log) {
        String group = settings.backend().resourceGroup();
        var containers = storage.serviceClient().getBlobContainers();
        if (find(() -> containers.get(group, account, container)) == null) {
            containers.create(group, account, container, new BlobContainerInner());
            log.accept("created container " + container + " in " + account);
        }
    }

    private void ensureVault(String tenant, Consumer<String> log) {
        AzureSettings s = settings.backend();
        var vaults = keyVaults.serviceClient().getVaults();
        if (find(() -> vaults.getByResourceGroup(s.resourceGroup(), s.keyVault())) != null) {
            log.accept("key vault " + s.keyVault() + " exists");
            return;
        }
        boolean deleted = find(() -> vaults.getDeleted(s.keyVault(), s.region())) != null;
        vaults.createOrUpdate(s.resourceGroup(), s.keyVault(), new VaultCreateOrUpdateParameters().withLocation(s.region())
                .withProperties(new VaultProperties().withTenantId(UUID.fromString(tenant))
                        .withSku(new Sku().withFamily(SkuFamily.A).withName(SkuName.STANDARD))
                        .withEnableRbacAuthorization(true).withSoftDeleteRetentionInDays(7)
                        .withCreateMode(deleted ? CreateMode.RECOVER : CreateMode.DEFAULT)));
        log.accept((deleted ? "recovered" : "created") + " key vault " + s.keyVault());
    }

    private void putSecret(String name, String value) {
        AzureSettings s = settings.backend();
        keyVaults.serviceClient().getSecrets().createOrUpdate(s.resourceGroup(), s.keyVault(), name,
                new SecretCreateOrUpdateParameters().withProperties(new SecretProperties().withValue(value)));
    }

    /** A role on its scope, unless this grantee holds it there already; waits for a new identity to be known. */
    private void grant(AzureDeployPlan plan, AzureDeployPlan.Grant g, String principal, Consumer<String> log) {
        RoleAssignmentsClient roles = authorization.roleServiceClient().getRoleAssignments();
        String name = plan.assignmentName(g);
        RoleAssignmentInner existing = find(() -> roles.get(g.scope(), name));
        if (existing != null && principal.equalsIgnoreCase(existing.principalId())) {
            log.accept("kept " + g.role().name() + " of the " + g.who() + " on " + g.scopeName());
            return;
        }
        if (existing != null) {
            // A redeploy after the app was made anew: its identity is another one.
            roles.delete(g.scope(), name);
        }
        RoleAssignmentCreateParameters assignment = new RoleAssignmentCreateParameters()
                .withRoleDefinitionId(plan.roleDefinitionId(g.role())).withPrincipalId(principal)
                .withDescription("numpywren " + settings.backend().appName() + " (" + g.who() + ")");
        if (g.who().equals("app")) {
            assignment.withPrincipalType(PrincipalType.SERVICE_PRINCIPAL);
        }
        Instant giveUp = Instant.now().plus(principalWait);
        while (true) {
            try {
                roles.create(g.scope(), name, assignment);
                break;
            } catch (ManagementException e) {
                boolean unknownYet = e.getValue() != null && "PrincipalNotFound".equals(e.getValue().getCode());
                if (!unknownYet || Instant.now().isAfter(giveUp)) {
                    throw e;
                }
                sleep(principalWait.dividedBy(36));
            }
        }
        log.accept("granted the " + g.who() + " " + g.role().name() + " on " + g.scopeName());
    }

    /** Publishes the package through the app's deployment endpoint and waits until it is deployed. */
    private void publish(AzureDeployPlan plan, Consumer<String> log) {
        String scm = settings.scmUrl().toString().replaceAll("/+$", "");
        HttpRequest post = new HttpRequest(HttpMethod.POST, scm + "/api/publish?RemoteBuild=false")
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/zip").setBody(BinaryData.fromFile(plan.artifact()));
        try (HttpResponse r = pipeline.sendSync(post, Context.NONE)) {
            if (r.getStatusCode() != 200 && r.getStatusCode() != 202) {
                throw new IllegalStateException("publishing the app's package to " + scm + " failed: " + r.getStatusCode()
                        + " " + r.getBodyAsBinaryData().toString());
            }
        }
        log.accept("uploaded the app's package to " + scm);
        Instant giveUp = Instant.now().plus(publishWait);
        while (true) {
            JsonNode status;
            try (HttpResponse r = pipeline.sendSync(new HttpRequest(HttpMethod.GET, scm + "/api/deployments/latest"), Context.NONE)) {
                status = r.getStatusCode() == 200 ? JSON.readTree(r.getBodyAsBinaryData().toBytes()) : null;
            } catch (IOException e) {
                throw new UncheckedIOException("the deployment's status from " + scm + " is not JSON", e);
            }
            if (status != null && status.path("complete").asBoolean(false)) {
                // Kudu's deployment states: 3 failed, 4 succeeded.
                if (status.path("status").asInt() != 4) {
                    throw new IllegalStateException("deploying the app's package failed: " + status.path("status_text").asText(
                            status.toString()) + " (see the deployment log at " + scm + "/api/deployments/latest/log)");
                }
                log.accept("the app's package is deployed");
                return;
            }
            if (Instant.now().isAfter(giveUp)) {
                throw new IllegalStateException("the app's package was not deployed within " + publishWait.toMinutes()
                        + " min; see " + scm + "/api/deployments/latest");
            }
            sleep(Duration.ofSeconds(5));
        }
    }

    private void ensureFunctionKey(WebAppsClient apps, SecretsClient secrets, Consumer<String> log) {
        AzureSettings s = settings.backend();
        HostKeysInner keys = apps.listHostKeys(s.resourceGroup(), s.appName());
        boolean inApp = keys.functionKeys() != null && keys.functionKeys().containsKey(AzureDeployPlan.FUNCTION_KEY_NAME);
        boolean inVault = find(() -> secrets.get(s.resourceGroup(), s.keyVault(), AzureSettings.FUNCTION_KEY_SECRET)) != null;
        if (inApp && inVault) {
            log.accept("kept the function key in secret " + AzureSettings.FUNCTION_KEY_SECRET);
            return;
        }
        byte[] random = new byte[30];
        RANDOM.nextBytes(random);
        String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        apps.createOrUpdateHostSecret(s.resourceGroup(), s.appName(), "functionKeys", AzureDeployPlan.FUNCTION_KEY_NAME,
                new KeyInfoInner().withName(AzureDeployPlan.FUNCTION_KEY_NAME).withValue(key));
        putSecret(AzureSettings.FUNCTION_KEY_SECRET, key);
        log.accept("created the function key '" + AzureDeployPlan.FUNCTION_KEY_NAME + "' in the app and in secret "
                + AzureSettings.FUNCTION_KEY_SECRET);
    }

    /** Whom the driver's roles go to, and the vault's tenant: from the settings, else the signed-in token. */
    private record Signer(String objectId, String tenant) {
    }

    private Signer signedInPrincipal() {
        String objectId = settings.driverPrincipal();
        String tenant = settings.tenant();
        if (!objectId.isEmpty() && !tenant.isEmpty()) {
            return new Signer(objectId, tenant);
        }
        if (credential == null) {
            throw new IllegalArgumentException("numpywren.backends.azure: driver-principal and tenant must be set when "
                    + "deploying to " + settings.managementEndpoint() + " (there is no sign-in to take them from)");
        }
        String token = credential.getTokenSync(new TokenRequestContext().addScopes(MANAGEMENT_SCOPE)).getToken();
        try {
            String[] parts = token.split("\\.");
            JsonNode claims = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            return new Signer(objectId.isEmpty() ? claims.path("oid").asText() : objectId,
                    tenant.isEmpty() ? claims.path("tid").asText() : tenant);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot tell who is signed in from the management token; set "
                    + "numpywren.backends.azure.driver-principal and tenant", e);
        }
    }

    /** The resource, or null where Azure answers 404. */
    private static <T> T find(Supplier<T> get) {
        try {
            return get.get();
        } catch (ManagementException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

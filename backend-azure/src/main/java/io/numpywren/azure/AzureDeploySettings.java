package io.numpywren.azure;

import io.numpywren.backend.SettingsReader;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

/**
 * What {@code numpywren azure deploy} and {@code destroy} need beyond the backend's settings, from
 * the same section ({@code numpywren.backends.azure}), validated together.
 *
 * @param backend            the backend's settings: app, storage account, container, vault, sizes
 * @param hostStorageAccount the function host's own storage account (its state, keys and the
 *                           deployment package), apart from the blocks' so that the app's identity
 *                           may reach the blocks' container and nothing else of that account
 * @param tenant             the Entra ID tenant the key vault trusts (empty: AZURE_TENANT_ID, else the
 *                           signed-in token's)
 * @param driverPrincipal    the object id of whoever runs jobs, granted the blocks' container and the
 *                           vault's secrets (empty: the signed-in principal's)
 * @param managementEndpoint Azure Resource Manager (another one only for a sovereign cloud or a stand-in)
 * @param scmUrl             the app's deployment endpoint (Kudu), where its code is published
 */
public record AzureDeploySettings(AzureSettings backend, String hostStorageAccount, String tenant, String driverPrincipal,
                                  URI managementEndpoint, URI scmUrl) {
    public static final URI PUBLIC_MANAGEMENT = URI.create("https://management.azure.com");

    public static AzureDeploySettings from(Map<String, String> settings) {
        SettingsReader r = new SettingsReader("numpywren.backends.azure", settings);
        AzureSettings backend = null;
        try {
            backend = AzureSettings.from(settings);
        } catch (IllegalArgumentException e) {
            // One error names every setting at fault, the backend's and deploy's alike.
            r.problem(e.getMessage().replaceFirst("^numpywren\\.backends\\.azure: ", ""));
        }
        String subscription = r.text("subscription", System.getenv().getOrDefault("AZURE_SUBSCRIPTION_ID", ""));
        if (subscription.isEmpty()) {
            r.problem("subscription is not set (nor AZURE_SUBSCRIPTION_ID): the subscription to deploy into");
        } else if (!isUuid(subscription)) {
            r.problem("subscription '" + subscription + "' is not a subscription id (a UUID)");
        }
        if (r.text("resource-group").isEmpty()) {
            r.problem("resource-group is not set (deploy creates it unless it exists)");
        }
        String derivedHost = r.text("app-name").replace("-", "");
        derivedHost = derivedHost.substring(0, Math.min(20, derivedHost.length())) + "host";
        String host = r.text("host-storage-account", derivedHost);
        if (!host.matches("[a-z0-9]{3,24}")) {
            r.problem("host-storage-account '" + host + "' is not a storage account name (3-24 of a-z 0-9)");
        } else if (host.equals(r.text("storage-account"))) {
            r.problem("host-storage-account must differ from storage-account: the app's identity may reach only the "
                    + "blocks' container of that account, but the Functions host needs all of its own");
        }
        String tenant = r.text("tenant", System.getenv().getOrDefault("AZURE_TENANT_ID", ""));
        if (!tenant.isEmpty() && !isUuid(tenant)) {
            r.problem("tenant '" + tenant + "' is not a tenant id (a UUID)");
        }
        String driver = r.text("driver-principal");
        if (!driver.isEmpty() && !isUuid(driver)) {
            r.problem("driver-principal '" + driver + "' is not an object id (a UUID)");
        }
        URI management = r.url("management-endpoint");
        URI scm = r.url("scm-url");
        r.throwIfProblems();
        return new AzureDeploySettings(backend, host, tenant, driver, management == null ? PUBLIC_MANAGEMENT : management,
                scm != null ? scm : URI.create("https://" + backend.appName() + ".scm.azurewebsites.net"));
    }

    static boolean isUuid(String text) {
        try {
            return UUID.fromString(text).toString().equalsIgnoreCase(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether calls go to Azure itself (signed in) rather than a plain-HTTP stand-in. */
    public boolean signedIn() {
        return "https".equals(managementEndpoint.getScheme());
    }
}

package io.numpywren.cli;

import com.typesafe.config.Config;
import io.numpywren.azure.AzureDeployPlan;
import io.numpywren.azure.AzureDeploySettings;
import io.numpywren.azure.AzureDeployer;
import io.numpywren.scheduler.Numpywren;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code numpywren azure deploy|destroy}: the Azure Functions worker on a Flex Consumption plan,
 * its storage, key vault and roles, from the settings in {@code numpywren.backends.azure} with
 * command-line overrides. The plan is printed first; {@code --dry-run} stops there, with no Azure
 * call and no credentials.
 */
@Command(name = "azure", mixinStandardHelpOptions = true,
        description = "Deploy or remove the Azure Functions worker, its storage, key vault and roles.",
        subcommands = {AzureCommand.Deploy.class, AzureCommand.Destroy.class})
final class AzureCommand implements Runnable {
    private static final String SECTION = "numpywren.backends.azure";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The settings every azure subcommand takes; each overrides its numpywren.backends.azure key. */
    static final class Settings {
        @Option(names = "--subscription", description = "the subscription id (default: numpywren.backends.azure.subscription, else AZURE_SUBSCRIPTION_ID)")
        String subscription;

        @Option(names = "--resource-group", description = "the resource group (created unless it exists)")
        String resourceGroup;

        @Option(names = "--location", description = "the region (default: eastus)")
        String location;

        @Option(names = "--app-name", description = "the function app, globally unique: <app-name>.azurewebsites.net")
        String appName;

        @Option(names = "--storage-account", description = "the storage account the blocks live in")
        String storageAccount;

        @Option(names = "--container", description = "the container the blocks live in (default: numpywren)")
        String container;

        @Option(names = "--prefix", description = "the blob-name prefix below which they live")
        String prefix;

        @Option(names = "--memory", description = "an instance's memory in MB: 2048 or 4096 (default: 4096)")
        String memory;

        @Option(names = "--max-instances", description = "the most instances, i.e. tasks at once (default: 100)")
        String maxInstances;

        @Option(names = "--config", description = "a settings file (HOCON) over the defaults")
        Path config;

        @Option(names = "--dry-run", description = "print the plan only: no Azure call, no credentials needed")
        boolean dryRun;

        Config load() {
            Map<String, Object> overrides = new LinkedHashMap<>();
            DeployCommands.override(overrides, SECTION + ".subscription", subscription);
            DeployCommands.override(overrides, SECTION + ".resource-group", resourceGroup);
            DeployCommands.override(overrides, SECTION + ".location", location);
            DeployCommands.override(overrides, SECTION + ".app-name", appName);
            DeployCommands.override(overrides, SECTION + ".storage-account", storageAccount);
            DeployCommands.override(overrides, SECTION + ".container", container);
            DeployCommands.override(overrides, SECTION + ".prefix", prefix);
            DeployCommands.override(overrides, SECTION + ".memory", memory);
            DeployCommands.override(overrides, SECTION + ".concurrency", maxInstances);
            return DeployCommands.load(overrides, config);
        }

        static AzureDeploySettings azure(Config config) {
            return AzureDeploySettings.from(Numpywren.settings(config, SECTION));
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Create or update the function app, its storage, key vault, keys and roles (prints the plan first).")
    static final class Deploy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Settings settings;

        @Option(names = "--artifact", description = "the function app's package (default: the zip the cli's build copies to cli/target/azure)")
        Path artifact;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Config config = settings.load();
            AzureDeploySettings s = Settings.azure(config);
            Path code = artifact != null ? artifact : DeployCommands.besideCli("azure", "numpywren-worker-app.zip");
            // The workers refuse tasks outside the namespace numpywren stores everything under.
            AzureDeployPlan plan = AzureDeployPlan.deploy(s, config.getString("numpywren.namespace"),
                    config.getString("numpywren.kernel-provider"), code.toAbsolutePath().normalize());
            if (DeployCommands.printPlanStopIfDry(out, "plan: numpywren azure deploy", plan.deploySteps(), settings.dryRun,
                    "Azure")) {
                return 0;
            }
            AzureDeployer.Deployed d = new AzureDeployer(s).deploy(plan, DeployCommands.progress(out));
            out.println("deployed: " + d.app() + " at " + d.url() + " (identity " + d.principalId() + ")");
            return 0;
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            description = "Delete the function app, its plan, key vault, host storage and roles; the blocks' account and container are kept.")
    static final class Destroy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Settings settings;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            AzureDeploySettings s = Settings.azure(settings.load());
            AzureDeployPlan plan = AzureDeployPlan.destroy(s);
            if (DeployCommands.printPlanStopIfDry(out, "plan: numpywren azure destroy", plan.destroySteps(), settings.dryRun,
                    "Azure")) {
                return 0;
            }
            new AzureDeployer(s).destroy(plan, DeployCommands.progress(out));
            out.println("destroyed");
            return 0;
        }
    }
}

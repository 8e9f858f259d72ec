package io.numpywren.cli;

import com.typesafe.config.Config;
import io.numpywren.gcp.GcpDeployPlan;
import io.numpywren.gcp.GcpDeployer;
import io.numpywren.gcp.GcpSettings;
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
 * {@code numpywren gcp deploy|destroy}: the Cloud Functions worker, its service account and its
 * key's secret, from the settings in {@code numpywren.backends.gcp} with command-line overrides.
 * The plan is printed first; {@code --dry-run} stops there, with no Google call and no credentials.
 */
@Command(name = "gcp", mixinStandardHelpOptions = true,
        description = "Deploy or remove the Google Cloud Functions worker, its service account and its key.",
        subcommands = {GcpCommand.Deploy.class, GcpCommand.Destroy.class})
final class GcpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The settings every gcp subcommand takes; each overrides its numpywren.backends.gcp key. */
    static final class Settings {
        @Option(names = "--project", description = "the project (default: numpywren.backends.gcp.project, else GOOGLE_CLOUD_PROJECT or gcloud's)")
        String project;

        @Option(names = "--region", description = "the function's region (default: us-central1)")
        String region;

        @Option(names = "--function-name", description = "the worker function (default: numpywren-worker)")
        String functionName;

        @Option(names = "--bucket", description = "the bucket the blocks live in")
        String bucket;

        @Option(names = "--prefix", description = "the object-name prefix below which they live")
        String prefix;

        @Option(names = "--memory", description = "the function's memory in MiB, 128 to 32768 (default: 4096)")
        String memory;

        @Option(names = "--cpu", description = "its vCPUs: 1, 2, 4, 6 or 8 (default: the memory's tier)")
        String cpu;

        @Option(names = "--max-instances", description = "the most instances, i.e. tasks at once (default: 100)")
        String maxInstances;

        @Option(names = "--timeout-seconds", description = "the function's timeout, at most 3600 (default: 3600)")
        String timeoutSeconds;

        @Option(names = "--config", description = "a settings file (HOCON) over the defaults")
        Path config;

        @Option(names = "--dry-run", description = "print the plan only: no Google call, no credentials needed")
        boolean dryRun;

        Config load() {
            Map<String, Object> overrides = new LinkedHashMap<>();
            DeployCommands.override(overrides, "numpywren.backends.gcp.project", project);
            DeployCommands.override(overrides, "numpywren.backends.gcp.region", region);
            DeployCommands.override(overrides, "numpywren.backends.gcp.function-name", functionName);
            DeployCommands.override(overrides, "numpywren.backends.gcp.bucket", bucket);
            DeployCommands.override(overrides, "numpywren.backends.gcp.prefix", prefix);
            DeployCommands.override(overrides, "numpywren.backends.gcp.memory", memory);
            DeployCommands.override(overrides, "numpywren.backends.gcp.cpu", cpu);
            DeployCommands.override(overrides, "numpywren.backends.gcp.concurrency", maxInstances);
            DeployCommands.override(overrides, "numpywren.backends.gcp.timeout-seconds", timeoutSeconds);
            return DeployCommands.load(overrides, config);
        }

        static GcpSettings gcp(Config config) {
            return GcpSettings.from(Numpywren.settings(config, "numpywren.backends.gcp"));
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Create or update the worker function, its service account and its key (prints the plan first).")
    static final class Deploy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Settings settings;

        @Option(names = "--artifact", description = "the function's code (default: the jar the cli's build copies to cli/target/gcp)")
        Path artifact;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Config config = settings.load();
            GcpSettings s = Settings.gcp(config);
            Path code = artifact != null ? artifact : DeployCommands.besideCli("gcp", "numpywren-worker-function.jar");
            // The workers refuse tasks outside the namespace numpywren stores everything under.
            GcpDeployPlan plan = GcpDeployPlan.deploy(s, config.getString("numpywren.namespace"),
                    config.getString("numpywren.kernel-provider"), code.toAbsolutePath().normalize());
            if (DeployCommands.printPlanStopIfDry(out, "plan: numpywren gcp deploy", plan.deploySteps(), settings.dryRun,
                    "Google Cloud")) {
                return 0;
            }
            try (GcpDeployer deployer = new GcpDeployer(s)) {
                GcpDeployer.Deployed d = deployer.deploy(plan, DeployCommands.progress(out));
                out.println("deployed: " + d.function() + " at " + d.url() + " (runs as " + d.serviceAccount() + ")");
            }
            return 0;
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            description = "Delete the worker function, its service account and its key; the bucket and its blocks are kept.")
    static final class Destroy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Settings settings;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            GcpSettings s = Settings.gcp(settings.load());
            GcpDeployPlan plan = GcpDeployPlan.destroy(s);
            if (DeployCommands.printPlanStopIfDry(out, "plan: numpywren gcp destroy", plan.destroySteps(), settings.dryRun,
                    "Google Cloud")) {
                return 0;
            }
            try (GcpDeployer deployer = new GcpDeployer(s)) {
                deployer.destroy(plan, DeployCommands.progress(out));
            }
            out.println("destroyed");
            return 0;
        }
    }
}

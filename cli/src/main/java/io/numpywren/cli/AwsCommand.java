package io.numpywren.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.aws.AwsDeployer;
import io.numpywren.aws.DeployPlan;
import io.numpywren.aws.DeploySettings;
import io.numpywren.scheduler.Numpywren;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code numpywren aws deploy|destroy}: the worker function and its IAM role, from the settings
 * in {@code numpywren.backends.aws} with command-line overrides. The plan is printed first;
 * {@code --dry-run} stops there, with no AWS call and no credentials needed.
 */
@Command(name = "aws", mixinStandardHelpOptions = true,
        description = "Deploy or remove the AWS Lambda worker function and its IAM role.",
        subcommands = {AwsCommand.Deploy.class, AwsCommand.Destroy.class})
final class AwsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The settings every aws subcommand takes; each overrides its numpywren.backends.aws key. */
    static final class Settings {
        @Option(names = "--region", description = "region (default: numpywren.backends.aws.region, else AWS_REGION)")
        String region;

        @Option(names = "--function-name", description = "the worker function (default: numpywren-worker)")
        String functionName;

        @Option(names = "--role-name", description = "its execution role (default: <function-name>-role)")
        String roleName;

        @Option(names = "--bucket", description = "the bucket the blocks live in")
        String bucket;

        @Option(names = "--prefix", description = "the key prefix below which they live")
        String prefix;

        @Option(names = "--memory", description = "the function's memory in MB, 128 to 10240 (default: 3008)")
        String memory;

        @Option(names = "--timeout-seconds", description = "the function's timeout, at most 900 (default: 900)")
        String timeoutSeconds;

        @Option(names = "--dry-run", description = "print the plan only: no AWS call, no credentials needed")
        boolean dryRun;

        DeploySettings resolve() {
            Map<String, Object> overrides = new LinkedHashMap<>();
            DeployCommands.override(overrides, "numpywren.backends.aws.region", region);
            DeployCommands.override(overrides, "numpywren.backends.aws.function-name", functionName);
            DeployCommands.override(overrides, "numpywren.backends.aws.role-name", roleName);
            DeployCommands.override(overrides, "numpywren.backends.aws.bucket", bucket);
            DeployCommands.override(overrides, "numpywren.backends.aws.prefix", prefix);
            DeployCommands.override(overrides, "numpywren.backends.aws.memory", memory);
            DeployCommands.override(overrides, "numpywren.backends.aws.timeout-seconds", timeoutSeconds);
            Config config = ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()).resolve();
            Map<String, String> settings = new HashMap<>();
            settings.put("kernel-provider", config.getString("numpywren.kernel-provider"));
            // The workers refuse tasks outside the namespace numpywren stores everything under.
            settings.put("root", config.getString("numpywren.namespace"));
            settings.putAll(Numpywren.settings(config, "numpywren.backends.aws"));
            return DeploySettings.from(settings);
        }
    }

    @Command(name = "deploy", mixinStandardHelpOptions = true,
            description = "Create or update the worker function and its IAM role (prints the plan first).")
    static final class Deploy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Settings settings;

        @Option(names = "--artifact", description = "the function's code (default: the jar the cli's build copies to cli/target/lambda)")
        Path artifact;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DeploySettings s = settings.resolve();
            Path code = artifact != null ? artifact : DeployCommands.besideCli("lambda", "numpywren-worker-lambda.jar");
            DeployPlan plan = DeployPlan.deploy(s, code.toAbsolutePath().normalize());
            if (DeployCommands.printPlanStopIfDry(out, "plan: numpywren aws deploy", plan.deploySteps(), settings.dryRun,
                    "AWS")) {
                return 0;
            }
            try (AwsDeployer deployer = new AwsDeployer(s, null, Duration.ofSeconds(90), Duration.ofSeconds(3))) {
                AwsDeployer.Deployed d = deployer.deploy(plan, DeployCommands.progress(out));
                out.println("deployed: " + d.functionArn() + " (role " + d.roleArn() + ")");
            }
            return 0;
        }
    }

    @Command(name = "destroy", mixinStandardHelpOptions = true,
            description = "Delete the worker function and its IAM role; the bucket and its blocks are kept.")
    static final class Destroy implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Settings settings;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            DeploySettings s = settings.resolve();
            DeployPlan plan = DeployPlan.destroy(s);
            if (DeployCommands.printPlanStopIfDry(out, "plan: numpywren aws destroy", plan.destroySteps(), settings.dryRun,
                    "AWS")) {
                return 0;
            }
            try (AwsDeployer deployer = new AwsDeployer(s, null, Duration.ZERO, Duration.ZERO)) {
                deployer.destroy(plan, DeployCommands.progress(out));
            }
            out.println("destroyed");
            return 0;
        }
    }
}

package io.numpywren.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** What the cloud deploy commands ({@code aws}, {@code gcp}, {@code azure}) share: where the worker's code is, and how they print. */
final class DeployCommands {
    private DeployCommands() {
    }

    /** Where the cli's build copies a worker's code: {@code dir/file} beside the cli's classes or jar. */
    static Path besideCli(String dir, String file) {
        try {
            Path here = Path.of(DeployCommands.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return here.getParent().resolve(dir).resolve(file);
        } catch (URISyntaxException | RuntimeException e) {
            return Path.of("cli", "target", dir, file);
        }
    }

    /** Sets {@code key} to an option's value, if the option was given. */
    static void override(java.util.Map<String, Object> overrides, String key, String value) {
        if (value != null) {
            overrides.put(key, value);
        }
    }

    /** The settings: command-line overrides over a --config file (if given) over the defaults. */
    static Config load(java.util.Map<String, Object> overrides, Path config) {
        Config base = ConfigFactory.load();
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--config " + config + " is not a file");
            }
            base = ConfigFactory.parseFile(config.toFile()).withFallback(base);
        }
        return ConfigFactory.parseMap(overrides).withFallback(base).resolve();
    }

    /**
     * Prints the plan, one step per line, before anything is done; on a dry run also says that no
     * call was made to {@code cloud}, and answers true: the command stops there.
     */
    static boolean printPlanStopIfDry(PrintWriter out, String title, Iterable<String> steps, boolean dryRun, String cloud) {
        out.println(title);
        for (String s : steps) {
            out.println("  " + s);
        }
        if (dryRun) {
            out.println("dry run: no " + cloud + " call was made");
        }
        out.flush();
        return dryRun;
    }

    /** Each step's line as soon as it is done: a deploy takes minutes. */
    static Consumer<String> progress(PrintWriter out) {
        return line -> {
            out.println(line);
            out.flush();
        };
    }
}

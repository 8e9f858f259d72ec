package io.numpywren.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The options of a command that drives jobs (run, resume): where tasks run, where blocks live, and settings. */
final class DriverOptions {
    @Option(names = "--backend", description = "local, aws, gcp or azure (default: numpywren.backend, i.e. local)")
    String backend;

    @Option(names = "--store", description = "memory, file:DIR, s3://bucket/prefix, gs://bucket/prefix or az://container/prefix (default: numpywren.store, i.e. memory)")
    String store;

    @Option(names = "--workers", description = "local backend worker threads (default: one per core)")
    Integer workers;

    @Option(names = "--kernel-provider", description = "auto (default), netlib (the system's BLAS), openblas (bundled) or jblas")
    String kernelProvider;

    @Option(names = "--config", description = "a settings file (HOCON) over the defaults, e.g. a backend's or a journal's")
    Path config;

    /** The settings the options override: the backend, the store, local workers, the kernel provider. */
    Map<String, Object> overrides() {
        Map<String, Object> overrides = new LinkedHashMap<>();
        if (backend != null) {
            overrides.put("numpywren.backend", backend);
        }
        if (store != null) {
            overrides.put("numpywren.store", store);
        }
        if (workers != null) {
            if (workers < 1) {
                throw new IllegalArgumentException("--workers must be at least 1, got " + workers);
            }
            overrides.put("numpywren.backends.local.workers", workers);
        }
        if (kernelProvider != null) {
            overrides.put("numpywren.kernel-provider", kernelProvider);
        }
        return overrides;
    }

    /** The default configuration chain, under the {@code --config} file when one is given. */
    static Config settings(Path config) {
        Config settings = ConfigFactory.load();
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new IllegalArgumentException("--config " + config + " is not a file");
            }
            settings = ConfigFactory.parseFile(config.toFile()).withFallback(settings).resolve();
        }
        return settings;
    }

    /** The settings a driver starts with: {@code extra}, then the options, then the configuration chain. */
    Config settings(Map<String, Object> extra) {
        Map<String, Object> all = new LinkedHashMap<>(overrides());
        all.putAll(extra);
        return ConfigFactory.parseMap(all).withFallback(settings(config));
    }
}

package io.numpywren.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the planner assumes of a platform, from {@code numpywren.plan.platforms.<name>} (each
 * figure's source is beside it in reference.conf): a worker's vCPUs and memory; the kernels'
 * GFLOP/s per vCPU; a worker's store bandwidth each way and the latency of one store request;
 * invocation latency and cold starts; the most workers at once; the driver's store requests
 * (latency, keys per delete request); and, optionally, worker deaths and stragglers.
 *
 * @param name                 the backend it models
 * @param vcpus                vCPUs of one worker (a fraction where the platform gives CPU by memory)
 * @param memoryMb             memory of one worker
 * @param gflopsPerVcpu        a kernel's GFLOP/s on one vCPU, by kernel name, or "name@block" for one
 *                             block size (the rate nearest in block size wins); "default" for the others
 * @param readMbPerSecond      one worker's store download bandwidth, MB/s
 * @param writeMbPerSecond     one worker's store upload bandwidth, MB/s
 * @param storeRequest         the latency of one store request (a block read or write pays it once)
 * @param invoke               from dispatch to the worker starting the task, warm
 * @param coldStart            added when a worker is new
 * @param maxConcurrency       the most workers at once
 * @param driverRequest        the latency of one of the driver's store requests (a delete, a listing)
 * @param keysPerDelete        keys one delete request removes (S3's DeleteObjects: 1,000)
 * @param deathRate            the fraction of attempts whose worker dies mid-task and never answers
 * @param stragglerRate        the fraction of attempts that run {@code stragglerFactor} times slower
 * @param stragglerFactor      how much slower a straggler is
 */
public record PlatformModel(String name, double vcpus, int memoryMb, Map<String, Double> gflopsPerVcpu,
                            double readMbPerSecond, double writeMbPerSecond, Duration storeRequest, Duration invoke,
                            Duration coldStart, int maxConcurrency, Duration driverRequest, int keysPerDelete,
                            double deathRate, double stragglerRate, double stragglerFactor) {

    /** The model named {@code name}, with every bad figure named in one error. */
    public static PlatformModel from(Config config, String name) {
        String path = "numpywren.plan.platforms." + name;
        if (!config.hasPath(path)) {
            List<String> known = new ArrayList<>(config.getConfig("numpywren.plan.platforms").root().keySet());
            java.util.Collections.sort(known);
            throw new IllegalArgumentException("no platform model '" + name + "' (numpywren.plan.platforms has "
                    + String.join(", ", known) + ")");
        }
        Config c = config.getConfig(path);
        List<String> problems = new ArrayList<>();
        Map<String, Double> gflops = new LinkedHashMap<>();
        try {
            for (var e : c.getConfig("gflops-per-vcpu").root().entrySet()) {
                double v = c.getDouble("gflops-per-vcpu.\"" + e.getKey() + "\"");
                if (!e.getKey().matches("[a-z_0-9]+(@[1-9][0-9]*)?")) {
                    problems.add("gflops-per-vcpu." + e.getKey() + " is not a kernel name, or name@block");
                }
                if (!(v > 0)) {
                    problems.add("gflops-per-vcpu." + e.getKey() + " must be positive, got " + v);
                }
                gflops.put(e.getKey(), v);
            }
        } catch (ConfigException e) {
            problems.add("gflops-per-vcpu: " + e.getMessage());
        }
        if (!gflops.containsKey("default")) {
            problems.add("gflops-per-vcpu.default is not set (the rate of kernels not named)");
        }
        Reader r = new Reader(c, problems);
        PlatformModel m = new PlatformModel(name, r.positive("vcpus"), r.integer("memory-mb", 128, 1 << 20), gflops,
                r.positive("store-read-mb-per-second"), r.positive("store-write-mb-per-second"),
                r.duration("store-request"), r.duration("invoke"), r.duration("cold-start"),
                r.integer("max-concurrency", 1, 1_000_000), r.duration("driver-request"),
                r.integer("keys-per-delete", 1, 100_000), r.fraction("death-rate"), r.fraction("straggler-rate"),
                Math.max(1, r.positive("straggler-factor")));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(path + ": " + String.join("; ", problems));
        }
        return m;
    }

    /**
     * GFLOP/s of {@code kernel} on blocks of {@code block} on one whole worker: its rate measured at the
     * nearest block size, else its rate for any size, else the default.
     */
    public double workerGflops(String kernel, int block) {
        Double best = null;
        long bestDistance = Long.MAX_VALUE;
        String prefix = kernel + "@";
        for (var e : gflopsPerVcpu.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                long distance = Math.abs(Long.parseLong(e.getKey().substring(prefix.length())) - block);
                if (distance < bestDistance) {
                    bestDistance = distance;
                    best = e.getValue();
                }
            }
        }
        if (best == null) {
            best = gflopsPerVcpu.getOrDefault(kernel, gflopsPerVcpu.get("default"));
        }
        return best * vcpus;
    }

    /** A worker's memory in bytes. */
    public long memoryBytes() {
        return (long) memoryMb << 20;
    }

    /** The same platform with deaths and stragglers at these rates. */
    public PlatformModel withFaults(double deaths, double stragglers) {
        return copy(maxConcurrency, deaths, stragglers);
    }

    /** The same platform with another concurrency limit (a raised quota). */
    public PlatformModel withConcurrency(int most) {
        return copy(most, deathRate, stragglerRate);
    }

    private PlatformModel copy(int most, double deaths, double stragglers) {
        return new PlatformModel(name, vcpus, memoryMb, gflopsPerVcpu, readMbPerSecond, writeMbPerSecond, storeRequest,
                invoke, coldStart, most, driverRequest, keysPerDelete, deaths, stragglers, stragglerFactor);
    }

    /** Reads figures, collecting what is wrong instead of stopping at the first. */
    private record Reader(Config c, List<String> problems) {
        int integer(String key, int min, int max) {
            return checked(key, c::getInt, v -> v >= min && v <= max, "must lie in [" + min + ", " + max + "]", min);
        }

        double positive(String key) {
            return checked(key, c::getDouble, v -> v > 0, "must be positive", 1.0);
        }

        double fraction(String key) {
            return checked(key, c::getDouble, v -> v >= 0 && v < 1, "must lie in [0, 1)", 0.0);
        }

        Duration duration(String key) {
            return checked(key, c::getDuration, d -> !d.isNegative(), "must not be negative", Duration.ZERO);
        }

        /** The value at {@code key}; one that is missing, mistyped or not {@code ok} is a problem, and {@code fallback} stands in. */
        private <T> T checked(String key, java.util.function.Function<String, T> read, java.util.function.Predicate<T> ok,
                              String requirement, T fallback) {
            try {
                T v = read.apply(key);
                if (!ok.test(v)) {
                    problems.add(key + " " + requirement + ", got " + v);
                }
                return v;
            } catch (ConfigException e) {
                problems.add(key + ": " + e.getMessage());
                return fallback;
            }
        }
    }
}

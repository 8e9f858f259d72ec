package io.numpywren.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.Config;
import io.numpywren.scheduler.JobLimits;
import io.numpywren.scheduler.JobPlan;
import io.numpywren.scheduler.JobPlans;
import io.numpywren.scheduler.JobReport;
import io.numpywren.scheduler.Planner;
import io.numpywren.scheduler.PlatformModel;
import io.numpywren.scheduler.SchedulerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code numpywren plan}: how long a job would take on a platform and what it would cost, by
 * running the real scheduler on a simulated one ({@link Planner}), before anyone spends money.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan a job on a simulated platform: the real scheduler, simulated workers and store, no data.")
final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "gemm, cholesky, tsqr, qr, svd or solve")
    String algorithm;

    @Option(names = "--n", required = true, description = "rows (and columns, unless --m)")
    long n;

    @Option(names = "--m", description = "columns (default: --n)")
    Long m;

    @Option(names = "--k", description = "gemm: the inner dimension, for an (n x k)·(k x n) product")
    Long inner;

    @Option(names = "--block", required = true, description = "block size")
    int block;

    @Option(names = "--backend", defaultValue = "local", description = "the platform model: local, aws, gcp, azure (numpywren.plan.platforms)")
    String backend;

    @Option(names = "--workers", description = "the most workers at once (default: the model's concurrency)")
    int workers;

    @Option(names = "--deaths", description = "the fraction of attempts whose worker dies (default: the model's)")
    Double deaths;

    @Option(names = "--stragglers", description = "the fraction of attempts that run slow (default: the model's)")
    Double stragglers;

    @Option(names = "--config", description = "a settings file (HOCON) over the defaults")
    Path config;

    @Option(names = "--json", description = "write the plan as JSON")
    Path json;

    @Option(names = "--trace", description = "write per-task spans in simulated time as Chrome trace-event JSON (Perfetto)")
    Path trace;

    @Option(names = "--plot", description = "write workers running, tasks ready and the critical path's progress as SVG")
    Path plot;

    /** The model as JSON takes it: durations in seconds. */
    private static Map<String, Object> modelFigures(PlatformModel m) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", m.name());
        f.put("vcpus", m.vcpus());
        f.put("memoryMb", m.memoryMb());
        f.put("gflopsPerVcpu", m.gflopsPerVcpu());
        f.put("readMbPerSecond", m.readMbPerSecond());
        f.put("writeMbPerSecond", m.writeMbPerSecond());
        f.put("storeRequestSeconds", m.storeRequest().toNanos() / 1e9);
        f.put("invokeSeconds", m.invoke().toNanos() / 1e9);
        f.put("coldStartSeconds", m.coldStart().toNanos() / 1e9);
        f.put("maxConcurrency", m.maxConcurrency());
        f.put("driverRequestSeconds", m.driverRequest().toNanos() / 1e9);
        f.put("keysPerDelete", m.keysPerDelete());
        f.put("deathRate", m.deathRate());
        f.put("stragglerRate", m.stragglerRate());
        f.put("stragglerFactor", m.stragglerFactor());
        return f;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        OutputFiles.checkWritable(json, "--json");
        OutputFiles.checkWritable(trace, "--trace");
        OutputFiles.checkWritable(plot, "--plot");
        Config c = DeployCommands.load(trace != null ? Map.of("numpywren.scheduler.trace", true) : Map.of(), config);
        if (n < 1 || block < 1 || (m != null && m < 1)) {
            throw new IllegalArgumentException("--n, --m and --block must be positive");
        }
        if (inner != null && (!algorithm.equals("gemm") || m != null || inner < 1)) {
            throw new IllegalArgumentException("--k is gemm's inner dimension (A is n x k, B is k x n): positive, "
                    + "without --m");
        }
        long cols = inner != null ? inner : m == null ? n : m;
        PlatformModel model = PlatformModel.from(c, backend);
        if (deaths != null || stragglers != null) {
            model = model.withFaults(deaths != null ? deaths : model.deathRate(),
                    stragglers != null ? stragglers : model.stragglerRate());
            if (model.deathRate() < 0 || model.deathRate() >= 1 || model.stragglerRate() < 0 || model.stragglerRate() >= 1) {
                throw new IllegalArgumentException("--deaths and --stragglers must lie in [0, 1)");
            }
        }
        if (workers > model.maxConcurrency()) {
            out.printf(Locale.ROOT, "note: %d workers is above the %s model's max-concurrency %d (a quota to raise first)%n",
                    workers, model.name(), model.maxConcurrency());
            model = model.withConcurrency(workers);
        }
        int w = workers > 0 ? workers : model.maxConcurrency();
        JobPlan job = JobPlans.builtin(algorithm, n, cols, block, w, model.memoryBytes());
        JobLimits.checkTaskMemory(job, model.name(), model.memoryBytes());
        JobLimits.from(c).checkTasks(job);
        out.printf(Locale.ROOT, "planning %s of a %dx%d matrix in %d-blocks on the %s model (%d workers)...%n", algorithm,
                n, cols, block, model.name(), w);
        out.flush();
        Planner.Plan p = Planner.plan(job, model, SchedulerSettings.from(c), w, c.getLong("numpywren.plan.seed"),
                plot != null);
        JobReport r = p.report();
        out.printf(Locale.ROOT, "  wall time            %.1f s (simulated; store work done at %.1f s)%n", r.wallSeconds(),
                p.storeWorkDoneSeconds());
        out.printf(Locale.ROOT, "  tasks                %d%n", r.tasks());
        out.printf(Locale.ROOT, "  GFLOP/s              %.1f (%.1f GFLOP)%n", r.gflops(), r.flops() / 1e9);
        out.printf(Locale.ROOT, "  bytes read           %s%n", RunCommand.bytes(r.bytesRead()));
        out.printf(Locale.ROOT, "  bytes written        %s%n", RunCommand.bytes(r.bytesWritten()));
        out.printf(Locale.ROOT, "  store requests       workers %d, driver %d%n", p.workerStoreRequests(),
                p.driverStoreRequests());
        out.printf(Locale.ROOT, "  retries              %d (lease expiries %d, speculative copies %d; deaths %d, stragglers %d)%n",
                r.retries(), r.leaseExpiries(), r.speculativeCopies(), p.deaths(), p.stragglers());
        out.printf(Locale.ROOT, "  worker-seconds       busy %.1f, allocated %.1f%n", r.workerSecondsBusy(),
                r.workerSecondsAllocated());
        out.printf(Locale.ROOT, "  peak workers         %d (cold starts %d)%n", p.peakWorkers(), p.coldStarts());
        out.printf(Locale.ROOT, "  peak intermediates   %d blocks%n", r.peakIntermediateBlocks());
        out.printf(Locale.ROOT, "  driver               busy %.2f s, %.2f%% of the wall time (measured here, per event)%n",
                p.driverBusySeconds(), 100 * p.driverBusyFraction());
        var cost = CostEstimates.of(c, r, block, model);
        cost.ifPresent(e -> out.printf("  estimated cost       %s%n", e.line()));
        out.printf(Locale.ROOT, "planned in %.2f s on this machine (%d events)%n", p.planningSeconds(), p.events());
        try {
            if (trace != null) {
                ChromeTrace.write(r, trace);
                out.println("trace written to " + trace + " (open it in Perfetto)");
            }
            if (plot != null) {
                PlanPlot.write(p, String.format(Locale.ROOT, "%s of %dx%d in %d-blocks on the %s model, %d workers: %.1f s",
                        algorithm, n, cols, block, model.name(), w, r.wallSeconds()), plot);
                out.println("plot written to " + plot);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + (trace != null ? trace : plot), e);
        }
        if (json != null) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("algorithm", algorithm);
            doc.put("n", n);
            doc.put("m", cols);
            doc.put("block", block);
            doc.put("model", modelFigures(model));
            doc.put("workers", w);
            doc.put("plan", p);
            cost.ifPresent(e -> doc.put("estimatedCost", e.details()));
            try {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
            out.println("plan written to " + json);
        }
        return 0;
    }
}

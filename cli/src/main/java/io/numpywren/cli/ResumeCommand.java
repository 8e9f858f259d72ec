package io.numpywren.cli;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrices;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixDescription;
import io.numpywren.scheduler.JobJournal;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.scheduler.PlanDocument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code numpywren resume <job>}: finishes a job whose driver died, from its journal, then checks
 * the result and prints the report as {@code run} would have (and removes what that run made).
 */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Finish a job whose driver died (see `numpywren jobs`): tasks that finished are not run again.")
final class ResumeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", description = "the job's id, as `numpywren jobs` lists it")
    String jobId;

    @Mixin
    DriverOptions driver;

    @Option(names = "--output", description = "write the result as .npy: C, L, R, the singular values, or X")
    Path output;

    @Option(names = "--json", description = "also write the report as JSON")
    Path json;

    @Option(names = "--no-progress", description = "no progress bar, even on a terminal")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        OutputFiles.checkWritable(output, "--output");
        OutputFiles.checkWritable(json, "--json");
        if (driver.store == null || driver.backend == null) {
            // The journal knows where the job ran: its store and backend, unless given.
            try (Numpywren reader = JobsCommand.journalReader(driver.store, driver.config)) {
                Map<String, String> labels = started(reader).plan().labels();
                driver.store = driver.store != null ? driver.store : labels.get(Numpywren.STORE_LABEL);
                driver.backend = driver.backend != null ? driver.backend : labels.get(Numpywren.BACKEND_LABEL);
            }
        }
        try (Numpywren nw = Numpywren.create(driver.settings(Map.of()));
             Interrupts interrupts = Interrupts.during(nw, spec.commandLine().getErr())) {
            if (!nw.journal().durable()) {
                throw new IllegalArgumentException("jobs are not journaled with " + nw.journal().describe()
                        + " (numpywren.journal.kind; the memory store's jobs die with their driver): there is nothing "
                        + "to resume; give the job's --store");
            }
            JobJournal.Started started = started(nw);
            PlanDocument plan = started.plan();
            out.printf("resuming %s job %s from the journal (%s)%n", plan.algorithm(), jobId, nw.journal().describe());
            RunCommand.ProgressBar bar = new RunCommand.ProgressBar(out, !noProgress && System.console() != null);
            JobResult result;
            try {
                result = RunCommand.await(nw.resume(jobId, bar::update), bar);
            } catch (RuntimeException e) {
                if (interrupts.received().isPresent()) {
                    spec.commandLine().getErr().println("numpywren: resume interrupted by " + interrupts.received().get()
                            + ": the job was cancelled, and its blocks were removed from " + nw.store().description());
                    return interrupts.exitCode();
                }
                throw e;
            }
            return check(nw, plan, started.tasks(), result, out);
        }
    }

    /** What the journal recorded when the job started; a job it does not know is bad input. */
    private JobJournal.Started started(Numpywren nw) {
        return nw.jobStarted(jobId).orElseThrow(() -> new IllegalArgumentException("there is no job " + jobId
                + " in the journal (" + nw.journal().describe() + "); `numpywren jobs` lists the jobs it knows"));
    }

    /** Checks the result against the job's inputs, exports and reports it, and removes what the run made. */
    private int check(Numpywren nw, PlanDocument plan, long total, JobResult result, PrintWriter out) throws Exception {
        List<BlockMatrix> inputs = new ArrayList<>();
        for (MatrixDescription d : plan.matrices().values()) {
            if (!d.namespace().equals(plan.namespace())) {
                inputs.add(BlockMatrix.fromDescription(nw.store(), d));
            }
        }
        List<BlockMatrix> made = new ArrayList<>(result.outputs().values());
        String runMatrices = plan.labels().getOrDefault(RunCommand.RUN_MATRICES_LABEL, "");
        for (String matrix : runMatrices.isEmpty() ? new String[0] : runMatrices.split(",")) {
            int slash = matrix.lastIndexOf('/');
            made.add(BlockMatrix.open(nw.store(), matrix.substring(0, slash), matrix.substring(slash + 1)));
        }
        try {
            BlockMatrix a = inputs.get(0);
            BlockMatrix written = null;
            double residual;
            switch (plan.algorithm()) {
                case "cholesky" -> residual = Residuals.cholesky(a, written = result.output("L"));
                case "gemm" -> residual = Residuals.gemm(a, inputs.size() > 1 ? inputs.get(1) : a, written = result.output("C"));
                case "qr", "tsqr" -> residual = Residuals.qr(a, written = result.output("R"));
                case "svd" -> residual = Residuals.singularValues(a, result.singularValues());
                default -> {
                    out.printf("job %s was one step of a %s; its output %s is in %s. Run the %s again for the whole.%n",
                            jobId, plan.algorithm(), result.outputs().keySet(), nw.store().description(), plan.algorithm());
                    made.clear(); // a later step would need them
                    return 0;
                }
            }
            if (output != null) {
                if (written == null) {
                    double[] values = result.singularValues();
                    written = BlockMatrices.fromDense(Block.wrap(values.length, 1, values.clone()), BlockMatrix.builder(
                            nw.store(), "numpywren/data", "singular_values-" + jobId).blockSize(a.blockRows()));
                    made.add(written);
                }
                nw.exportNpy(written, output);
            }
            out.printf("%d of its %d tasks had finished before; this driver ran the other %d (the report is its own)%n",
                    total - result.report().tasks(), total, result.report().tasks());
            RunCommand.printReport(out, nw, plan.algorithm(), a, a.blockRows(), result.report(), residual);
            if (json != null) {
                RunCommand.writeJson(nw, plan.algorithm(), a, a.blockRows(), result.report(), residual, json);
            }
            if (!(residual <= RunCommand.RESIDUAL_LIMIT)) {
                spec.commandLine().getErr().printf("error: residual %.3e exceeds %.0e: the result is wrong%n", residual,
                        RunCommand.RESIDUAL_LIMIT);
                return 3;
            }
            return 0;
        } finally {
            for (BlockMatrix m : made) {
                try {
                    m.free();
                } catch (RuntimeException alreadyGone) {
                    // removed already: nothing of the run's is left
                }
            }
        }
    }
}

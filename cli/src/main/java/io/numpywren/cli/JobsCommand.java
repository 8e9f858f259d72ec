package io.numpywren.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.typesafe.config.ConfigFactory;
import io.numpywren.scheduler.JobJournals;
import io.numpywren.scheduler.Numpywren;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code numpywren jobs}: the jobs the journal knows, with their state. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = "List the jobs the journal knows and their state; an UNFINISHED one can be resumed.")
final class JobsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Spec
    CommandSpec spec;

    @Option(names = "--store", description = "the store whose jobs to list, when journaling depends on it (default: numpywren.store)")
    String store;

    @Option(names = "--config", description = "a settings file (HOCON) over the defaults, e.g. a journal's")
    Path config;

    @Option(names = "--json", description = "print the list as JSON")
    boolean json;

    /**
     * A driver that reads the journal: the one {@code store}'s jobs use, or, with no store given and
     * {@code numpywren.journal.kind = auto}, the embedded one (where jobs on a persistent store go).
     */
    static Numpywren journalReader(String store, Path config) {
        Map<String, Object> overrides = new java.util.LinkedHashMap<>();
        if (store != null) {
            overrides.put("numpywren.store", store);
        } else if ("auto".equals(DriverOptions.settings(config).getString("numpywren.journal.kind"))) {
            overrides.put("numpywren.journal.kind", "embedded");
        }
        return Numpywren.create(ConfigFactory.parseMap(overrides).withFallback(DriverOptions.settings(config)));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Numpywren nw = journalReader(store, config)) {
            List<JobJournals.JobSummary> jobs = nw.jobs();
            if (json) {
                List<Map<String, Object>> docs = new java.util.ArrayList<>();
                for (JobJournals.JobSummary j : jobs) {
                    Map<String, Object> doc = new java.util.LinkedHashMap<>();
                    doc.put("jobId", j.jobId());
                    doc.put("algorithm", j.algorithm());
                    doc.put("state", j.state());
                    doc.put("tasksDone", j.tasksDone());
                    doc.put("tasks", j.tasks());
                    doc.put("started", j.started().toString());
                    doc.put("ended", j.ended() == null ? null : j.ended().toString());
                    doc.put("resumptions", j.resumptions());
                    doc.put("message", j.message());
                    doc.put("labels", j.labels());
                    docs.add(doc);
                }
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(docs));
                return 0;
            }
            out.printf("journal: %s%n", nw.journal().describe());
            if (jobs.isEmpty()) {
                out.println("no jobs");
                return 0;
            }
            out.printf("%-22s %-9s %-11s %17s %-19s %-19s %s%n", "JOB", "ALGORITHM", "STATE", "TASKS DONE", "STARTED",
                    "ENDED", "RESUMED");
            for (JobJournals.JobSummary j : jobs) {
                out.printf("%-22s %-9s %-11s %17s %-19s %-19s %d%n", j.jobId(), j.algorithm(), j.state(),
                        j.tasksDone() + "/" + j.tasks(), TIME.format(j.started()),
                        j.ended() == null ? "-" : TIME.format(j.ended()), j.resumptions());
                if (j.message() != null) {
                    out.printf("    %s%n", j.message());
                }
            }
            if (jobs.stream().anyMatch(j -> j.state().equals("UNFINISHED"))) {
                out.println("an UNFINISHED job's driver is running or died: `numpywren resume JOB` finishes it");
            }
            return 0;
        }
    }
}

package io.numpywren.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code numpywren plan}: the report a run would print, in simulated time, with the cost; its JSON; bad input. */
class PlanCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aCholeskyIsPlannedOnTheAwsModelWithItsCost() throws Exception {
        Path json = tmp.resolve("plan.json");
        CliRun r = CliRun.of("plan", "cholesky", "--n", "8192", "--block", "1024", "--backend", "aws", "--workers", "50",
                "--json", json.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("planning cholesky of a 8192x8192 matrix in 1024-blocks on the aws model (50 workers)")
                .contains("tasks                120").containsPattern("wall time            \\d+\\.\\d s \\(simulated")
                .containsPattern("driver               busy \\d+\\.\\d\\d s")
                .containsPattern("estimated cost       \\$\\d+\\.\\d{4} \\(Lambda: 120 invocations")
                .contains("plan written to " + json);
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.path("plan").path("report").path("tasks").asLong()).isEqualTo(120);
        assertThat(doc.path("model").path("name").asText()).isEqualTo("aws");
        assertThat(doc.path("plan").path("report").path("wallSeconds").asDouble()).isPositive();
    }

    @Test
    void anInnerDimensionTraceAndPlot() throws Exception {
        Path trace = tmp.resolve("plan-trace.json");
        Path plot = tmp.resolve("plan.svg");
        CliRun r = CliRun.of("plan", "gemm", "--n", "4096", "--k", "16384", "--block", "1024", "--backend", "azure",
                "--workers", "16", "--trace", trace.toString(), "--plot", plot.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("gemm of a 4096x16384 matrix").contains("trace written to " + trace)
                .contains("plot written to " + plot);
        JsonNode events = new ObjectMapper().readTree(trace.toFile());
        assertThat(events.isArray() ? events : events.path("traceEvents")).isNotEmpty();
        String svg = java.nio.file.Files.readString(plot);
        assertThat(svg).startsWith("<svg").contains("workers running").contains("critical path done")
                .contains("<polyline").endsWith("</svg>\n");
        CliRun bad = CliRun.of("plan", "qr", "--n", "4096", "--k", "16384", "--block", "1024");
        assertThat(bad.err()).contains("--k is gemm's inner dimension");
    }

    @Test
    void workersAboveTheModelsQuotaAreSaidAndDeathsAreRetried() {
        CliRun r = CliRun.of("plan", "qr", "--n", "4096", "--block", "512", "--backend", "gcp", "--workers", "200",
                "--deaths", "0.05");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("note: 200 workers is above the gcp model's max-concurrency 100")
                .containsPattern("lease expiries [1-9]\\d*, speculative copies \\d+; deaths [1-9]");
    }

    @Test
    void badInputGetsOneLine() {
        CliRun model = CliRun.of("plan", "cholesky", "--n", "4096", "--block", "512", "--backend", "mainframe");
        assertThat(model.exit()).isEqualTo(1);
        assertThat(model.err()).contains("no platform model 'mainframe'").contains("aws, azure, gcp, local");
        CliRun algorithm = CliRun.of("plan", "lu", "--n", "4096", "--block", "512");
        assertThat(algorithm.err()).contains("no built-in algorithm 'lu'");
        CliRun huge = CliRun.of("plan", "cholesky", "--n", "1024", "--block", "1");
        assertThat(huge.err()).contains("more than 20,000,000 tasks");
        CliRun deaths = CliRun.of("plan", "cholesky", "--n", "1024", "--block", "256", "--deaths", "1.5");
        assertThat(deaths.err()).contains("--deaths and --stragglers must lie in [0, 1)");
        assertThat(model.err().lines()).hasSize(1);
    }
}

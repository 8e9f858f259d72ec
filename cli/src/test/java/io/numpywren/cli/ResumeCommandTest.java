package io.numpywren.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code numpywren run} in a JVM of its own is killed with SIGKILL in the middle of its job;
 * {@code numpywren jobs} lists the job as unfinished, and {@code numpywren resume} finishes it,
 * checks it and cleans up as the run would have.
 */
class ResumeCommandTest {
    @TempDir
    Path tmp;

    private record Result(int code, String out, String err) {
    }

    private Result numpywren(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    private static long files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        while (true) {
            try (Stream<Path> all = Files.walk(dir)) {
                return all.filter(Files::isRegularFile).count();
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException removedWhileWalking) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void aRunKilledMidJobIsListedAndResumedToACheckedResult() throws Exception {
        Path store = tmp.resolve("store");
        Path journal = tmp.resolve("journal");
        Path config = tmp.resolve("journal.conf");
        Files.writeString(config, "numpywren.journal.directory = \"" + journal + "\"\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "cholesky", "--n", "4096",
                "--block", "128", "--store", "file:" + store, "--config", config.toString(), "--no-progress"));
        Process run = new ProcessBuilder(command).redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        // The job is under way: the journal has some of its tasks as finished.
        while (!numpywren("jobs", "--config", config.toString()).out().matches("(?s).*UNFINISHED +[1-9]\\d*/.*")) {
            assertThat(run.isAlive()).as("the run is still going; it said %s", Files.readString(tmp.resolve("err.txt")))
                    .isTrue();
            assertThat(System.nanoTime()).as("the job got under way").isLessThan(deadline);
            Thread.sleep(50);
        }
        run.destroyForcibly(); // SIGKILL: no clean-up at all
        assertThat(run.waitFor(1, TimeUnit.MINUTES)).isTrue();

        Result listed = numpywren("jobs", "--config", config.toString());
        assertThat(listed.code()).as(listed.err()).isZero();
        Matcher job = Pattern.compile("(cholesky-[0-9a-f]{8}) +cholesky +UNFINISHED +(\\d+)/(\\d+)").matcher(listed.out());
        assertThat(job.find()).as("jobs lists the killed job as unfinished:%n%s", listed.out()).isTrue();
        String jobId = job.group(1);
        assertThat(listed.out()).contains("`numpywren resume JOB` finishes it");

        Result resumed = numpywren("resume", jobId, "--config", config.toString(), "--no-progress");
        assertThat(resumed.code()).as("resume: %s%s", resumed.out(), resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming cholesky job " + jobId);
        Matcher split = Pattern.compile("(\\d+) of its (\\d+) tasks had finished before; this driver ran the other (\\d+)")
                .matcher(resumed.out());
        assertThat(split.find()).as(resumed.out()).isTrue();
        long before = Long.parseLong(split.group(1));
        assertThat(before).as("tasks the killed run had journaled").isEqualTo(Long.parseLong(job.group(2))).isPositive();
        assertThat(Long.parseLong(split.group(2))).isEqualTo(Long.parseLong(job.group(3)));
        assertThat(resumed.out()).contains("tasks                " + split.group(3));
        Matcher residual = Pattern.compile("residual: (\\S+)").matcher(resumed.out());
        assertThat(residual.find()).isTrue();
        assertThat(Double.parseDouble(residual.group(1))).as("‖A − LLᵀ‖/‖A‖").isLessThan(1e-12);
        assertThat(files(store)).as("the run's input and the factor are removed, as the run would have").isZero();
        assertThat(numpywren("jobs", "--config", config.toString()).out()).containsPattern(jobId + " +cholesky +SUCCEEDED");

        Result again = numpywren("resume", jobId, "--config", config.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("job " + jobId + " already succeeded").contains("nothing to resume");
        Result unknown = numpywren("resume", "cholesky-00000000", "--config", config.toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("there is no job cholesky-00000000 in the journal");
    }
}

package io.numpywren.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Ctrl-C and SIGTERM reach a real {@code numpywren run} in a JVM of its own, at different points
 * of the run; each time the run says what happened, exits with 128 + the signal's number, and
 * leaves no block in the file store.
 */
class InterruptTest {

    @TempDir
    Path tmp;

    private Process start(Path store, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "cholesky"));
        command.addAll(List.of(args));
        command.addAll(List.of("--store", "file:" + store, "--no-progress"));
        return new ProcessBuilder(command).redirectOutput(tmp.resolve("out.txt").toFile())
                .redirectError(tmp.resolve("err.txt").toFile()).start();
    }

    /** The regular files below {@code dir}, walked again when the running process removes one meanwhile. */
    private static List<Path> files(Path dir) throws IOException {
        while (true) {
            if (!Files.exists(dir)) {
                return List.of();
            }
            try (Stream<Path> all = Files.walk(dir)) {
                return all.filter(Files::isRegularFile).toList();
            } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException removedWhileWalking) {
                Thread.onSpinWait();
            }
        }
    }

    private static void awaitFiles(Path dir, Predicate<List<Path>> condition, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.test(files(dir))) {
            assertThat(p.isAlive()).as("the run is still going").isTrue();
            assertThat(System.nanoTime()).as("waited two minutes for the run to write").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void signal(Process p, String name) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    private String err() throws IOException {
        return Files.readString(tmp.resolve("err.txt"));
    }

    @Test
    void sigtermDuringTheJobCancelsItAndRemovesItsIntermediatesAndTheInput() throws Exception {
        Path store = tmp.resolve("store");
        Process run = start(store, "--n", "3072", "--block", "128");
        awaitFiles(store.resolve("numpywren/jobs"), f -> f.size() >= 20, run);

        signal(run, "TERM");

        assertThat(run.waitFor(2, TimeUnit.MINUTES)).as("the run ended").isTrue();
        assertThat(run.exitValue()).as(err()).isEqualTo(128 + 15);
        assertThat(err()).contains("SIGTERM: cancelling").contains("run interrupted by SIGTERM")
                .contains("were removed from file-system store at " + store);
        assertThat(files(store)).as("blocks left in the store").isEmpty();
    }

    @Test
    void ctrlCWhileTheInputIsGeneratedStopsAndRemovesTheHalfWrittenInput() throws Exception {
        // A process started with SIGINT ignored (a background job of a shell without job control)
        // keeps it ignored: the JVM then cannot see Ctrl-C, and neither can this test.
        String status = Files.readString(Path.of("/proc/self/status"));
        long ignored = status.lines().filter(l -> l.startsWith("SigIgn:")).map(l -> Long.parseLong(l.substring(7).trim(), 16))
                .findFirst().orElse(0L);
        assumeFalse((ignored & (1L << 1)) != 0, "SIGINT is ignored in this process and so in the run it starts");
        Path store = tmp.resolve("store");
        Process run = start(store, "--n", "8192", "--block", "256");
        awaitFiles(store.resolve("numpywren/data"), f -> f.size() >= 3, run);

        signal(run, "INT");

        assertThat(run.waitFor(2, TimeUnit.MINUTES)).as("the run ended").isTrue();
        assertThat(run.exitValue()).as(err()).isEqualTo(128 + 2);
        assertThat(err()).contains("run interrupted by SIGINT");
        assertThat(Files.exists(store.resolve("numpywren/jobs"))).as("no job started").isFalse();
        assertThat(files(store)).as("blocks left in the store").isEmpty();
        assertThat(Files.readString(tmp.resolve("out.txt"))).doesNotContain("wall time");
    }

    @Test
    void aSecondSignalExitsAtOnceSayingWhatMayRemain() throws Exception {
        Path store = tmp.resolve("store");
        Process run = start(store, "--n", "3072", "--block", "128");
        awaitFiles(store.resolve("numpywren/jobs"), f -> f.size() >= 200, run);

        // The second signal goes only once the first was handled: the kernel merges two SIGTERMs
        // still pending together into one. Many blocks to remove keep the clean-up going meanwhile.
        signal(run, "TERM");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!err().contains("SIGTERM: cancelling")) {
            assertThat(System.nanoTime()).as("waited a minute for the run to take the first SIGTERM").isLessThan(deadline);
            Thread.onSpinWait();
        }
        run.destroy(); // SIGTERM, sent without starting a process

        assertThat(run.waitFor(2, TimeUnit.MINUTES)).as("the run ended").isTrue();
        assertThat(run.exitValue()).as(err()).isEqualTo(128 + 15);
        assertThat(err()).contains("SIGTERM again: exiting without cleaning up; blocks of this run may remain in "
                + "file-system store at " + store);
    }
}

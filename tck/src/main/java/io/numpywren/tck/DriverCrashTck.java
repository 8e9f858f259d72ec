package io.numpywren.tck;

import com.typesafe.config.ConfigFactory;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.scheduler.JobJournal;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.BlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A driver JVM ({@link CrashingDriver}) runs a Cholesky on the provider's store with an embedded
 * journal and is killed with SIGKILL at random points, at least {@value #KILLS} times, and
 * resumed each time; the last resumption finishes the job. Then:
 * <ul>
 *   <li>the factor passes the residual check;</li>
 *   <li>every task is journaled as finished exactly once, and no task ran in an incarnation
 *       after the one that journaled it (a finished task never runs again); the tasks that ran
 *       twice were in flight, or finished but not yet journaled, when their driver died;</li>
 *   <li>only the input and the factor are left in the store.</li>
 * </ul>
 * A provider gives the driver's store settings and the same store to check.
 */
public abstract class DriverCrashTck {
    static final int KILLS = 5;
    private static final int BLOCK = 48;
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(3);

    /** This test's directory: the journal is here, and a provider may put its store here too. */
    @TempDir
    protected Path dir;

    /** Settings the driver JVM gets as {@code -D} options: at least {@code numpywren.store}. */
    protected abstract Map<String, String> driverSettings() throws Exception;

    /** The driver's store, opened in this JVM to check what is left. */
    protected abstract BlockStore openStore() throws Exception;

    /**
     * Everything the store holds, as keys: by default what it lists. A store that keeps what its
     * listing hides (a file store's temporary files) shows those too.
     */
    protected Set<String> objectsLeft(BlockStore store) throws Exception {
        return new HashSet<>(store.list(""));
    }

    /**
     * Blocks a side of the factorized matrix: enough work that each killed driver dies in the middle
     * of it. 24 (2,600 tasks) by default; a slower store may take fewer.
     */
    protected int blocksPerSide() {
        return 24;
    }

    /** A line of output of a running driver, or its exit. */
    private record Line(String text, boolean exit) {
    }

    private final class Driver implements AutoCloseable {
        final Process process;
        final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();

        Driver(String... args) throws Exception {
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Xmx1g");
            for (Map.Entry<String, String> e : settings().entrySet()) {
                command.add("-D" + e.getKey() + "=" + e.getValue());
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(CrashingDriver.class.getName());
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(new Line(line, false));
                    }
                } catch (IOException ignored) {
                    // the process was killed
                }
                lines.add(new Line("", true));
            }, "crashing-driver-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for a line starting with {@code prefix}; null if the driver exited first. Other lines are kept for the failure message. */
        String await(String prefix, List<String> seen) throws InterruptedException {
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                Line line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                if (line.exit()) {
                    return null;
                }
                seen.add(line.text());
                if (line.text().startsWith(prefix)) {
                    return line.text();
                }
            }
            throw new AssertionError("no '" + prefix + "' from the driver within " + STEP_TIMEOUT + "; it said " + seen);
        }

        /** SIGKILL; returns whether the driver was still running (not done) when killed. */
        boolean kill() throws InterruptedException {
            boolean alive = process.isAlive();
            process.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no clean-up
            assertThat(process.waitFor(1, TimeUnit.MINUTES)).as("the killed driver exited").isTrue();
            return alive;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private Map<String, String> settings() throws Exception {
        Map<String, String> s = new HashMap<>(driverSettings());
        s.put("numpywren.journal.kind", "embedded");
        s.put("numpywren.journal.directory", dir.resolve("journal").toString());
        s.put("numpywren.journal.snapshot-every", "20");
        s.put("numpywren.scheduler.progress-interval", "20ms");
        s.put("numpywren.backends.local.workers", "2");
        return s;
    }

    @Test
    public void aDriverKilledAtRandomAndResumedEachTimeFinishesTheJobAndLeavesOnlyItsOutput() throws Exception {
        Path log = dir.resolve("executions.log");
        SplittableRandom random = new SplittableRandom(20261207);
        List<String> said = new ArrayList<>();
        String jobId;
        int kills = 0;
        long n = (long) blocksPerSide() * BLOCK;
        try (Driver first = new Driver("start", Long.toString(n), Integer.toString(BLOCK), log.toString())) {
            String started = first.await("job ", said);
            assertThat(started).as("the first driver started the job; it said %s", said).isNotNull();
            jobId = started.substring("job ".length());
            Thread.sleep(100 + random.nextInt(400));
            assertThat(first.kill()).as("the job was still running when its driver was killed").isTrue();
            kills++;
        }
        long started = System.nanoTime();
        String done = null;
        while (done == null) {
            try (Driver next = new Driver("resume", jobId, log.toString())) {
                if (kills >= KILLS) {
                    long last = System.nanoTime();
                    done = next.await("done ", said);
                    System.out.printf("driver crash kit: the last driver took %.1f s, after %.1f s of killed ones%n",
                            (System.nanoTime() - last) / 1e9, (last - started) / 1e9);
                    assertThat(done).as("the last driver finished the job; the drivers said %s", said).isNotNull();
                    assertThat(next.process.waitFor(1, TimeUnit.MINUTES)).isTrue();
                    assertThat(next.process.exitValue()).isZero();
                    break;
                }
                if (kills == 2) {
                    // Once before the job runs again: while the JVM starts, or reads the journal and the store.
                    Thread.sleep(300 + random.nextInt(1200));
                } else {
                    assertThat(next.await("resumed ", said)).as("driver %d resumed the job; the drivers said %s",
                            kills + 1, said).isNotNull();
                    Thread.sleep(50 + random.nextInt(350));
                }
                assertThat(next.kill()).as("driver %d was still running when killed (the job is too small?); "
                        + "the drivers said %s", kills + 1, said).isTrue();
                kills++;
            }
        }
        assertThat(kills).isGreaterThanOrEqualTo(KILLS);

        String[] where = done.split(" ");
        try (BlockStore store = openStore();
             Numpywren reader = Numpywren.create(ConfigFactory.parseMap(Map.of(
                     "numpywren.journal.kind", "embedded",
                     "numpywren.journal.directory", dir.resolve("journal").toString())))) {
            BlockMatrix a = BlockMatrix.open(store, "numpywren/data", "A");
            BlockMatrix l = BlockMatrix.open(store, where[1], where[2]);
            TckJobs.checkCholesky(a, l);
            checkHistory(reader.jobHistory(jobId), Files.readAllLines(log), kills);
            Set<String> expected = new HashSet<>(TckJobs.expectedKeys(List.of(a, l)));
            assertThat(objectsLeft(store)).as("only the input and the factor are left").hasSameElementsAs(expected);
        }
    }

    /**
     * Every task finished once in the journal; no task ran in an incarnation after the one that
     * journaled it; the tasks that ran twice ran first in an incarnation that was killed.
     */
    private static void checkHistory(List<JobJournal.Event> history, List<String> executions, int kills) {
        Map<String, Integer> journaledEpoch = new HashMap<>();
        long tasks = -1;
        int resumptions = 0;
        int largestBatch = 0;
        for (JobJournal.Event e : history) {
            if (e instanceof JobJournal.Started s) {
                tasks = s.tasks();
            } else if (e instanceof JobJournal.Resumed) {
                resumptions++;
            } else if (e instanceof JobJournal.TasksFinished f) {
                largestBatch = Math.max(largestBatch, f.tasks().size());
                for (JobJournal.FinishedTask t : f.tasks()) {
                    Integer before = journaledEpoch.put(t.task(), epoch(t.version()));
                    assertThat(before).as("task %s journaled as finished twice", t.task()).isNull();
                }
            }
        }
        assertThat(journaledEpoch).as("tasks journaled as finished").hasSize((int) tasks);
        assertThat(history.get(history.size() - 1)).isInstanceOfSatisfying(JobJournal.Ended.class,
                end -> assertThat(end.succeeded()).isTrue());
        assertThat(resumptions).as("resumptions that got as far as the journal").isBetween(kills - 1, kills);
        Map<Integer, Integer> ranAgainAfter = new HashMap<>();
        for (String line : executions) {
            String[] parts = line.split(" ");
            int ranIn = epoch(parts[1]);
            int journaledIn = journaledEpoch.get(parts[0]);
            assertThat(ranIn).as("task %s ran in incarnation %d after incarnation %d journaled it finished",
                    parts[0], ranIn, journaledIn).isLessThanOrEqualTo(journaledIn);
            if (ranIn < journaledIn) {
                ranAgainAfter.merge(ranIn, 1, Integer::sum);
            }
        }
        // Two workers with two tasks each in flight, and what finished while the journal was writing.
        int inFlight = 2 * 2 + largestBatch;
        ranAgainAfter.forEach((epoch, count) -> assertThat(count)
                .as("tasks of incarnation %d that ran again after it was killed", epoch).isLessThanOrEqualTo(inFlight));
        System.out.printf("driver crash kit: %d tasks, %d kills, %d resumptions journaled, %d events, largest batch %d;"
                + " tasks that ran again after each killed incarnation: %s%n", tasks, kills, resumptions, history.size(),
                largestBatch, ranAgainAfter);
    }

    /** The incarnation of a version {@code e<epoch>a<attempt>}. */
    private static int epoch(String version) {
        return Integer.parseInt(version.substring(1, version.indexOf('a')));
    }
}

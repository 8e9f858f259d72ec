package io.numpywren.scheduler;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads what the journal knows about jobs, for {@code numpywren jobs}. */
public final class JobJournals {
    /** The tag of the events that start and end a job. */
    static final String JOBS_TAG = "numpywren-jobs";

    private JobJournals() {
    }

    /** A job as its journal tells it. {@code state} is SUCCEEDED, FAILED, or UNFINISHED (running, or its driver died). */
    public record JobSummary(String jobId, String algorithm, String state, long tasksDone, long tasks, Instant started,
                             Instant ended, int resumptions, String message, Map<String, String> labels) {
    }

    /** Every job in the journal, the most recently started first; none when journaling is off. */
    public static List<JobSummary> list(ActorSystem<?> system, JournalSettings journal, Duration timeout) {
        if (!journal.durable()) {
            return List.of();
        }
        JdbcReadJournal reads = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class,
                JournalSettings.READ_JOURNAL_PLUGIN);
        String prefix = JobJournal.ENTITY + "|";
        List<JobSummary> jobs = new ArrayList<>();
        try {
            List<String> ids = reads.currentPersistenceIds().runWith(Sink.seq(), system).toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            for (String id : ids) {
                if (!id.startsWith(prefix)) {
                    continue;
                }
                List<EventEnvelope> events = reads.currentEventsByPersistenceId(id, 0, Long.MAX_VALUE)
                        .runWith(Sink.seq(), system).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                JobSummary summary = summarize(id.substring(prefix.length()), events);
                if (summary != null) {
                    jobs.add(summary);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the journal", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the journal (" + journal.describe() + "): " + e, e);
        }
        jobs.sort(Comparator.comparing(JobSummary::started).reversed());
        return jobs;
    }

    /** Every event of job {@code jobId}'s journal, in order (none for an unknown job, or without a journal). */
    public static List<JobJournal.Event> events(ActorSystem<?> system, JournalSettings journal, String jobId,
                                                Duration timeout) {
        return events(system, journal, jobId, Long.MAX_VALUE, timeout);
    }

    /** The event that started job {@code jobId} (its first), without reading the others. */
    public static java.util.Optional<JobJournal.Started> started(ActorSystem<?> system, JournalSettings journal,
                                                                 String jobId, Duration timeout) {
        List<JobJournal.Event> first = events(system, journal, jobId, 1, timeout);
        return first.isEmpty() || !(first.get(0) instanceof JobJournal.Started s)
                ? java.util.Optional.empty() : java.util.Optional.of(s);
    }

    /** The events of job {@code jobId}'s journal up to sequence number {@code last}, in order. */
    private static List<JobJournal.Event> events(ActorSystem<?> system, JournalSettings journal, String jobId,
                                                 long last, Duration timeout) {
        if (!journal.durable()) {
            return List.of();
        }
        JdbcReadJournal reads = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class,
                JournalSettings.READ_JOURNAL_PLUGIN);
        try {
            List<EventEnvelope> envelopes = reads.currentEventsByPersistenceId(JobJournal.ENTITY + "|" + jobId, 0,
                    last).runWith(Sink.seq(), system).toCompletableFuture().get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            List<JobJournal.Event> events = new ArrayList<>();
            for (EventEnvelope e : envelopes) {
                events.add((JobJournal.Event) e.event());
            }
            return events;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the journal", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the journal (" + journal.describe() + "): " + e, e);
        }
    }

    private static JobSummary summarize(String jobId, List<EventEnvelope> events) {
        JobJournal.Started started = null;
        JobJournal.Ended ended = null;
        long done = 0;
        int resumptions = 0;
        for (EventEnvelope envelope : events) {
            Object e = envelope.event();
            if (e instanceof JobJournal.Started s) {
                started = s;
            } else if (e instanceof JobJournal.TasksFinished f) {
                done += f.tasks().size();
            } else if (e instanceof JobJournal.Resumed) {
                resumptions++;
            } else if (e instanceof JobJournal.Ended end) {
                ended = end;
            }
        }
        if (started == null) {
            return null;
        }
        return new JobSummary(jobId, started.plan().algorithm(), ended == null ? "UNFINISHED" : ended.outcome(), done,
                started.tasks(), Instant.ofEpochMilli(started.atMillis()),
                ended == null ? null : Instant.ofEpochMilli(ended.atMillis()), resumptions,
                ended == null ? null : ended.message(), started.plan().labels());
    }
}

package io.numpywren.scheduler;

import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The journal of {@code numpywren.journal.kind = none}: accepts every event and keeps none, so a
 * job runs as it would with a journal (the same actor, the same order of effects) but cannot be
 * resumed, and costs no memory per task (Pekko's in-memory journal keeps every event).
 */
public final class DiscardingJournal extends AsyncWriteJournal {
    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<Optional<Exception>> results = new ArrayList<>();
        for (AtomicWrite ignored : messages) {
            results.add(Optional.empty());
        }
        return Futures.successful(results);
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        return Futures.successful(null);
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        return Futures.successful(0L);
    }
}

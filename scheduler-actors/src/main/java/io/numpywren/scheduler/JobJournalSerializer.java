package io.numpywren.scheduler;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.pekko.serialization.SerializerWithStringManifest;

import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes a job's journal events and snapshots as JSON; the manifest names the record's type and
 * format version explicitly ({@code tasks-finished.v1}), so nothing depends on Java class names
 * or Java serialization. Bound to {@link JobJournal.Record} in reference.conf.
 */
public final class JobJournalSerializer extends SerializerWithStringManifest {
    /** Unique among the actor system's serializers. */
    static final int IDENTIFIER = 7_140_021;

    private static final Map<String, Class<? extends JobJournal.Record>> TYPES = Map.of(
            "started.v1", JobJournal.Started.class,
            "resumed.v1", JobJournal.Resumed.class,
            "tasks-finished.v1", JobJournal.TasksFinished.class,
            "ended.v1", JobJournal.Ended.class,
            "checkpoint.v1", JobJournal.Checkpoint.class);

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public String manifest(Object o) {
        for (Map.Entry<String, Class<? extends JobJournal.Record>> e : TYPES.entrySet()) {
            if (e.getValue() == o.getClass()) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("no journal type for " + o.getClass().getName());
    }

    @Override
    public byte[] toBinary(Object o) {
        manifest(o); // refuses anything that is not a journal record
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + o.getClass().getSimpleName() + " as JSON", e);
        }
    }

    @Override
    public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
        Class<? extends JobJournal.Record> type = TYPES.get(manifest);
        if (type == null) {
            throw new NotSerializableException("unknown journal record type '" + manifest + "' (known: "
                    + new java.util.TreeSet<>(TYPES.keySet()) + "): written by a newer numpywren?");
        }
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            NotSerializableException failure = new NotSerializableException("journal record '" + manifest
                    + "' is not valid: " + e.getMessage());
            failure.initCause(e);
            throw failure;
        }
    }
}

package io.numpywren.task;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Why a task failed. {@code transient} errors (throttling, network, timeouts, a worker that
 * died, a block that failed its checksum, which may have been damaged in transit) are worth a
 * retry; {@code deterministic} ones (a kernel's numerical failure, a missing input block, a
 * malformed spec) fail the same way every time.
 *
 * @param kind    TRANSIENT or DETERMINISTIC
 * @param type    a short machine-readable cause: kernel, missing-block, corrupt-block, malformed-spec,
 *                store, timeout, transport, internal
 * @param message a human sentence naming what went wrong
 * @param key     the block key involved, when there is one
 */
public record TaskError(Kind kind, String type, String message, String key) {
    public enum Kind { TRANSIENT, DETERMINISTIC }

    public static TaskError transientError(String type, String message) {
        return new TaskError(Kind.TRANSIENT, type, message, null);
    }

    public static TaskError deterministic(String type, String message, String key) {
        return new TaskError(Kind.DETERMINISTIC, type, message, key);
    }

    @JsonIgnore
    public boolean isTransient() {
        return kind == Kind.TRANSIENT;
    }
}

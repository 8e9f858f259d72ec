package io.numpywren.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/**
 * JSON for {@link TaskSpec} and {@link TaskResult}: explicit fields only (no polymorphic
 * typing), unknown fields rejected, versions checked. Nothing is ever Java-serialised.
 */
public final class TaskCodec {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private TaskCodec() {
    }

    public static byte[] encode(TaskSpec spec) {
        return write(spec);
    }

    public static byte[] encode(TaskResult result) {
        return write(result);
    }

    private static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses a spec; anything malformed is a {@link MalformedTaskException} saying what. */
    public static TaskSpec decodeSpec(byte[] json) {
        TaskSpec spec = read(json, TaskSpec.class, "task spec");
        if (spec.version() != TaskSpec.VERSION) {
            throw new MalformedTaskException("task spec version " + spec.version() + " is not supported (this worker reads "
                    + TaskSpec.VERSION + ")");
        }
        return spec;
    }

    public static TaskResult decodeResult(byte[] json) {
        TaskResult result = read(json, TaskResult.class, "task result");
        if (result.version() != TaskResult.VERSION) {
            throw new MalformedTaskException("task result version " + result.version() + " is not supported (expected "
                    + TaskResult.VERSION + ")");
        }
        return result;
    }

    private static <T> T read(byte[] json, Class<T> type, String what) {
        if (json == null || json.length == 0) {
            throw new MalformedTaskException(what + " is empty");
        }
        try {
            T value = JSON.readValue(json, type);
            if (value == null) {
                throw new MalformedTaskException(what + " is JSON null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new MalformedTaskException(what + " is not valid: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedTaskException(what + " cannot be read: " + e.getMessage());
        }
    }
}

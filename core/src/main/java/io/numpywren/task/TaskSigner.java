package io.numpywren.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Signs task specs for the workers of one deployment, and checks them there, so that only the
 * driver holding the deployment's key can make a worker act: anyone else who can invoke the
 * function (or replay an old request) gets a refusal, never a read or a write.
 *
 * <p>A signed task travels as {@code {"signed": "<payload>", "signature": "<HMAC>", "key": "<id>"}}:
 * the payload is the JSON text {@code {"expires": <epoch seconds>, "spec": {...}}}, signed as it
 * stands (HMAC-SHA256, so no canonical form is needed), and {@code key} names which key signed it
 * (a digest, which reveals nothing of the key) so that a mismatch can be reported as one.
 *
 * <p>The key is 256 random bits, base64 text, kept in the cloud's secret store by the deploy
 * command. It is never logged: {@link #toString()} shows only its id.
 */
public final class TaskSigner {
    /** Bytes of a key {@link #newKey()} makes; a shorter key is refused. */
    public static final int KEY_BYTES = 32;
    /**
     * How long a signed spec is accepted: it is signed just before it is sent, so this only needs to
     * cover the clocks' disagreement and a slow invocation, while a captured request soon goes stale.
     */
    public static final Duration DEFAULT_VALIDITY = Duration.ofMinutes(30);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final String keyId;
    private final Clock clock;
    private final Duration validity;

    private TaskSigner(byte[] key, Clock clock, Duration validity) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        this.keyId = keyId(key);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.validity = Objects.requireNonNull(validity, "validity");
    }

    /** A fresh random key, as base64 text. */
    public static String newKey() {
        byte[] raw = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(raw);
        return Base64.getEncoder().encodeToString(raw);
    }

    /** A signer for a key given as base64 text (as {@link #newKey()} makes it); {@code what} names where it came from. */
    public static TaskSigner fromBase64(String key, String what) {
        return fromBase64(key, what, Clock.systemUTC(), DEFAULT_VALIDITY);
    }

    public static TaskSigner fromBase64(String key, String what, Clock clock, Duration validity) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("the task-signing key from " + what + " is empty");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key.trim());
        } catch (IllegalArgumentException e) {
            // The message must not echo the key.
            throw new IllegalArgumentException("the task-signing key from " + what + " is not base64 text");
        }
        if (raw.length < KEY_BYTES) {
            throw new IllegalArgumentException("the task-signing key from " + what + " has " + raw.length
                    + " bytes; at least " + KEY_BYTES + " are needed");
        }
        return new TaskSigner(raw, clock, validity);
    }

    /** A short id of the key: the start of its SHA-256, enough to tell keys apart and nothing more. */
    public String keyId() {
        return keyId;
    }

    /** The spec, signed, as the JSON a worker receives. */
    public byte[] sign(TaskSpec spec) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("expires", clock.instant().plus(validity).getEpochSecond());
        try {
            payload.set("spec", JSON.readTree(TaskCodec.encode(spec)));
            String signed = JSON.writeValueAsString(payload);
            ObjectNode envelope = JSON.createObjectNode();
            envelope.put("signed", signed);
            envelope.put("signature", Base64.getEncoder().encodeToString(mac(signed)));
            envelope.put("key", keyId);
            return JSON.writeValueAsBytes(envelope);
        } catch (IOException e) {
            throw new IllegalStateException("cannot sign task " + spec.taskId() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The spec a worker may run, from the bytes it received.
     *
     * @throws MalformedTaskException when the request is not a signed task, was signed with
     *                                another key, was altered, or has expired; the message says which
     */
    public TaskSpec verify(byte[] request) {
        JsonNode envelope;
        try {
            envelope = JSON.readTree(request);
        } catch (IOException e) {
            throw new MalformedTaskException("the request is not JSON: " + firstLine(e));
        }
        if (envelope == null || !envelope.isObject() || !envelope.path("signed").isTextual()
                || !envelope.path("signature").isTextual()) {
            throw new MalformedTaskException("the task is not signed: this worker runs only tasks signed with its "
                    + "deployment's key (key " + keyId + "), as the numpywren driver sends them");
        }
        String sentBy = envelope.path("key").asText("?");
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(envelope.get("signature").asText());
        } catch (IllegalArgumentException e) {
            throw new MalformedTaskException("the task's signature is not base64");
        }
        String signed = envelope.get("signed").asText();
        if (!MessageDigest.isEqual(signature, mac(signed))) {
            throw new MalformedTaskException(sentBy.equals(keyId)
                    ? "the task's signature does not match its content: the spec was altered after it was signed"
                    : "the task was signed with key " + sentBy + ", not this deployment's key " + keyId
                    + ": is the driver configured for another deployment?");
        }
        JsonNode payload;
        try {
            payload = JSON.readTree(signed);
        } catch (IOException e) {
            throw new MalformedTaskException("the signed payload is not JSON: " + firstLine(e));
        }
        long expires = payload.path("expires").asLong(Long.MIN_VALUE);
        Instant now = clock.instant();
        if (now.getEpochSecond() > expires) {
            throw new MalformedTaskException("the signed task expired at " + Instant.ofEpochSecond(expires) + " (now "
                    + now + "): a replayed request, or clocks " + validity.toMinutes() + "+ minutes apart");
        }
        try {
            return TaskCodec.decodeSpec(JSON.writeValueAsBytes(payload.path("spec")));
        } catch (IOException e) {
            throw new MalformedTaskException("the signed spec cannot be read: " + e.getMessage());
        }
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is unavailable: " + e.getMessage(), e);
        }
    }

    /** Jackson's message without the source excerpt it appends, which would echo the request. */
    private static String firstLine(IOException e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    private static String keyId(byte[] key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key);
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "TaskSigner[key " + keyId + "]";
    }
}

package io.numpywren.codec;

/** A stored block that fails verification: wrong magic, version, shape or checksum. */
public class CorruptBlockException extends RuntimeException {
    private final String key;

    public CorruptBlockException(String key, String reason) {
        super("corrupt block '" + key + "': " + reason);
        this.key = key;
    }

    public String key() {
        return key;
    }
}

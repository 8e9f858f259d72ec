package io.numpywren.storage;

/** A key or prefix that no store accepts (it could escape the root, or is malformed). */
public class InvalidKeyException extends IllegalArgumentException {
    private final String key;

    public InvalidKeyException(String key, String reason) {
        super("invalid block key '" + key + "': " + reason);
        this.key = key;
    }

    public String key() {
        return key;
    }
}

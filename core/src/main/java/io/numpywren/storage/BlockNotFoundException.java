package io.numpywren.storage;

/** A read of a key that holds no object. */
public class BlockNotFoundException extends StoreException {
    private final String key;

    public BlockNotFoundException(String key, String storeDescription) {
        super("block '" + key + "' does not exist in " + storeDescription);
        this.key = key;
    }

    public String key() {
        return key;
    }
}

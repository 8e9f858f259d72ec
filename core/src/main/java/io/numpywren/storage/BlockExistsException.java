package io.numpywren.storage;

/**
 * A {@link BlockStore#put} refused because an object already exists under the key: blocks are
 * written once, and only {@link BlockStore#replace} replaces one.
 */
public final class BlockExistsException extends StoreException {
    private final String key;

    public BlockExistsException(String key, String storeDescription) {
        super("block '" + key + "' already exists in " + storeDescription + " and blocks are written once");
        this.key = key;
    }

    public String key() {
        return key;
    }
}

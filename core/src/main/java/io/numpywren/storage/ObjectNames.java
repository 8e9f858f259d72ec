package io.numpywren.storage;

import java.nio.charset.StandardCharsets;

/**
 * How an object store names blocks: each key below an optional prefix in a bucket, checked with
 * {@link BlockKeys} and against the service's longest object name before any request is made.
 */
public final class ObjectNames {
    private final String scheme;
    private final String service;
    private final String bucket;
    private final String keyPrefix;
    private final int maxNameBytes;

    /**
     * @param scheme       the URL scheme of locations, such as {@code s3} or {@code gs}
     * @param service      the service's name in messages, such as {@code S3}
     * @param prefix       the key prefix ("" for none; surrounding slashes are dropped)
     * @param maxNameBytes the service's longest object name, in UTF-8 bytes
     */
    public ObjectNames(String scheme, String service, String bucket, String prefix, int maxNameBytes) {
        this.scheme = scheme;
        this.service = service;
        this.bucket = bucket;
        String trimmed = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        this.keyPrefix = trimmed.isEmpty() ? "" : trimmed + "/";
        this.maxNameBytes = maxNameBytes;
    }

    /** What is wrong with a store's key prefix ("" is fine: none), or empty. */
    public static java.util.Optional<String> prefixProblem(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            BlockKeys.validate(prefix);
            return java.util.Optional.empty();
        } catch (InvalidKeyException e) {
            return java.util.Optional.of("prefix '" + prefix + "' is not a valid key prefix: " + e.getMessage());
        }
    }

    /** The object name of a block key. */
    public String name(String key) {
        BlockKeys.validate(key);
        String name = keyPrefix + key;
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxNameBytes) {
            throw new InvalidKeyException(key, "below the store's prefix '" + keyPrefix + "' the object name is " + bytes
                    + " bytes, more than " + service + "'s " + maxNameBytes);
        }
        return name;
    }

    /** The object-name prefix of keys that start with {@code keyPrefixOfKeys}. */
    public String namePrefix(String keyPrefixOfKeys) {
        BlockKeys.validatePrefix(keyPrefixOfKeys);
        return keyPrefix + keyPrefixOfKeys;
    }

    /** The block key of an object name below the prefix. */
    public String key(String name) {
        return name.substring(keyPrefix.length());
    }

    /** An object's location, such as {@code s3://bucket/name}, for messages. */
    public String where(String name) {
        return scheme + "://" + bucket + "/" + name;
    }

    /** The store's location, such as {@code gs://bucket/prefix/}. */
    public String location() {
        return where(keyPrefix);
    }

    public String bucket() {
        return bucket;
    }

    /** The key prefix without its trailing '/', or "". */
    public String prefix() {
        return keyPrefix.isEmpty() ? "" : keyPrefix.substring(0, keyPrefix.length() - 1);
    }
}

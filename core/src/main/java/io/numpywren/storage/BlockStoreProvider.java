package io.numpywren.storage;

import java.util.Map;
import java.util.function.Function;

/**
 * Opens a {@link BlockStore} from a location with a URL scheme ({@code s3://bucket/prefix}); found
 * by {@link #scheme()} through {@link java.util.ServiceLoader} (list the implementation in
 * {@code META-INF/services/io.numpywren.storage.BlockStoreProvider}), so choosing a store is a
 * line of configuration: {@code numpywren.store = "s3://bucket/prefix"}.
 */
public interface BlockStoreProvider {
    /** The scheme it opens, lower case, e.g. {@code s3}. */
    String scheme();

    /** Other schemes it answers to, the names users of that service also write (none by default). */
    default java.util.Set<String> aliases() {
        return java.util.Set.of();
    }

    /**
     * @param location the configured location, scheme included
     * @param sections the flattened settings of a configuration section below {@code numpywren}
     *                 (e.g. {@code "stores.s3"} or {@code "backends.aws"}); empty when it is absent
     */
    BlockStore open(String location, Function<String, Map<String, String>> sections);
}

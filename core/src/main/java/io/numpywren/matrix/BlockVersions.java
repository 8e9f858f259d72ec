package io.numpywren.matrix;

import io.numpywren.storage.BlockKeys;

import java.util.Map;
import java.util.Objects;

/**
 * Which stored version of each block a matrix's handle reads. A job's tasks write their blocks
 * under attempt-scoped keys ({@code L/3_2.e0a1}: epoch 0, attempt 1), so a late or duplicate
 * writer never overwrites the block the driver counted; the driver records each block's
 * winning attempt here, and the handle (and the header beside the blocks) resolves keys
 * through it. Most blocks share one version ({@code common}); the others are listed by their
 * grid index ({@code "3_2"}).
 */
public record BlockVersions(String common, Map<String, String> exceptions) {
    public BlockVersions {
        Objects.requireNonNull(common, "common");
        exceptions = Map.copyOf(exceptions == null ? Map.of() : exceptions);
        requireTag(common);
        exceptions.forEach((index, tag) -> requireTag(tag));
    }

    private static void requireTag(String tag) {
        if (tag.isEmpty() || tag.contains("/") || tag.contains(".")) {
            throw new IllegalArgumentException("block version '" + tag + "' must be one non-empty key segment without '.'");
        }
        BlockKeys.validateSegment(tag, "block version");
    }

    /** The version of the block at grid index {@code index} (as {@code "3_2"}). */
    public String of(String index) {
        return exceptions.getOrDefault(index, common);
    }
}

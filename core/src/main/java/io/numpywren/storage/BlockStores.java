package io.numpywren.storage;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.function.Function;

/** Opens the store a location names: {@code memory}, {@code file:DIR}, or a provider's scheme. */
public final class BlockStores {
    private BlockStores() {
    }

    public static BlockStore open(String location, Function<String, Map<String, String>> sections) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException("no store given (use memory, file:DIR" + providedSchemes() + ")");
        }
        String trimmed = location.trim();
        if (trimmed.equals("memory") || trimmed.equals("mem")) {
            return new InMemoryBlockStore();
        }
        if (trimmed.startsWith("file:")) {
            String dir = trimmed.substring("file:".length());
            if (dir.isBlank()) {
                // An empty path would silently mean the current directory.
                throw new IllegalArgumentException("store 'file:' names no directory (use file:DIR, e.g. file:/tmp/blocks)");
            }
            return new FileSystemBlockStore(Path.of(dir));
        }
        int colon = trimmed.indexOf(':');
        String scheme = (colon > 0 ? trimmed.substring(0, colon) : trimmed).toLowerCase(Locale.ROOT);
        for (BlockStoreProvider provider : ServiceLoader.load(BlockStoreProvider.class)) {
            if (provider.scheme().equals(scheme) || provider.aliases().contains(scheme)) {
                return provider.open(trimmed, sections);
            }
        }
        throw new IllegalArgumentException("unknown store '" + location + "' (use memory, file:DIR" + providedSchemes()
                + "; a module on the class path may provide others, such as backend-aws for s3://)");
    }

    private static String providedSchemes() {
        TreeSet<String> schemes = new TreeSet<>();
        for (BlockStoreProvider provider : ServiceLoader.load(BlockStoreProvider.class)) {
            schemes.add(provider.scheme() + "://...");
        }
        return schemes.isEmpty() ? "" : ", " + String.join(", ", schemes);
    }
}

package io.numpywren.backend.local;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import io.numpywren.tck.DriverCrashTck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The crash kit on the file store: a driver JVM killed with SIGKILL five times and resumed each time. */
class FileStoreDriverCrashTest extends DriverCrashTck {
    private String storeUrl() {
        return "file:" + dir.resolve("store");
    }

    @Override
    protected Map<String, String> driverSettings() {
        return Map.of("numpywren.store", storeUrl());
    }

    @Override
    protected BlockStore openStore() {
        return BlockStores.open(storeUrl(), section -> Map.of());
    }

    /** Every file in the store's directory, the temporary ones a killed writer leaves included. */
    @Override
    protected Set<String> objectsLeft(BlockStore store) throws IOException {
        Path root = dir.resolve("store");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(f -> root.relativize(f).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
        }
    }

    /** The kit's last check relies on this: what a killed writer leaves is seen, though the store's listing hides it. */
    @org.junit.jupiter.api.Test
    void theLeftoversCheckSeesTemporaryFilesTheListingHides() throws IOException {
        try (BlockStore store = openStore()) {
            store.put("ns/m/0_0", java.nio.ByteBuffer.wrap(new byte[] {1}));
            Files.writeString(dir.resolve("store/ns/m/#tmp-killed"), "half");
            org.assertj.core.api.Assertions.assertThat(store.list("")).containsExactly("ns/m/0_0");
            org.assertj.core.api.Assertions.assertThat(objectsLeft(store)).containsExactlyInAnyOrder("ns/m/0_0", "ns/m/#tmp-killed");
        }
    }
}

package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.tck.BackendTrait;
import io.numpywren.tck.ProviderTck;
import io.numpywren.tck.TckSuite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the local backend (two workers, requests limited to 256 KiB) with a
 * file-system store in a fresh directory per test; after each suite, nothing was written
 * beside those directories.
 */
class LocalFileSystemTckTest extends ProviderTck {
    /** This suite's directory (one per suite: JUnit makes a provider instance for each). */
    private final Path root;

    LocalFileSystemTckTest() throws IOException {
        root = Files.createTempDirectory("numpywren-tck-");
    }

    @Override
    public BlockStore newStore() throws IOException {
        return new FileSystemBlockStore(Files.createTempDirectory(root, "store-"));
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) {
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 2, 256 * 1024);
    }

    @Override
    public Set<BackendTrait> backendTraits() {
        return EnumSet.of(BackendTrait.WORKERS_USE_GIVEN_STORE);
    }

    /**
     * No task, accepted or rejected, and no store operation wrote anything beside the stores' roots;
     * then the suite's directory is removed.
     */
    @Override
    public void afterSuite(TckSuite suite) throws IOException {
        try (Stream<Path> children = Files.list(root)) {
            assertThat(children.map(p -> p.getFileName().toString())).as("beside the stores after " + suite)
                    .allMatch(name -> name.startsWith("store-"));
        } finally {
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}

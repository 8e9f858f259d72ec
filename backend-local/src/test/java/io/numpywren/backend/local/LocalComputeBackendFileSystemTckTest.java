package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.tck.ComputeBackendTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The compute backend contract for the local backend over a file-system store. */
class LocalComputeBackendFileSystemTckTest extends ComputeBackendTck {

    @TempDir
    Path tmp;

    @Override
    protected BlockStore newStore() {
        return new FileSystemBlockStore(tmp.resolve("store"));
    }

    @Override
    protected ComputeBackend newBackend(BlockStore store) {
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 2, 256 * 1024);
    }

    @Override
    protected Set<TckCapability> capabilities() {
        return LocalTck.capabilities();
    }

    /** No task, accepted or rejected, wrote anything beside the store's root. */
    @AfterEach
    void nothingWasWrittenOutsideTheRoot() throws IOException {
        try (Stream<Path> children = Files.list(tmp)) {
            assertThat(children.map(p -> p.getFileName().toString())).containsExactly("store");
        }
    }
}

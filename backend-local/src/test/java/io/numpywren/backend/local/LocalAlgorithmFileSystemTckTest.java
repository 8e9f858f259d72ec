package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.tck.AlgorithmTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

/** The Algorithm suite of the TCK on the local backend with a file-system store in a fresh directory per test. */
class LocalAlgorithmFileSystemTckTest extends AlgorithmTck {
    @TempDir
    Path root;

    @Override
    protected BlockStore newStore() {
        return new FileSystemBlockStore(root);
    }

    @Override
    protected ComputeBackend newBackend(BlockStore store) {
        return LocalTck.backend(store);
    }

    @Override
    protected Set<TckCapability> capabilities() {
        return LocalTck.capabilities();
    }

    @Test
    void declaresWhatTheLocalBackendCanDo() throws Exception {
        LocalTck.assertDeclaredCapabilitiesHold(capabilities(), newBackend(newStore()));
    }
}

package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FileSystemBlockStore;
import io.numpywren.tck.AlgorithmTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

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
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 2);
    }

    @Override
    protected Set<TckCapability> capabilities() {
        return EnumSet.of(TckCapability.CANCELLATION, TckCapability.WORKERS_USE_GIVEN_STORE);
    }

    /** The capabilities declared to the kit are the ones the backend itself reports, so no group is skipped wrongly. */
    @Test
    void declaresWhatTheLocalBackendCanDo() throws Exception {
        try (ComputeBackend backend = newBackend(newStore())) {
            assertThat(capabilities().contains(TckCapability.CANCELLATION)).isEqualTo(backend.capabilities().canCancel());
            assertThat(capabilities()).contains(TckCapability.WORKERS_USE_GIVEN_STORE);
        }
    }
}

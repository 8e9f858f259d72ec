package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.ComputeBackendTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.util.Set;

/** The compute backend contract for the local backend over the in-memory store. */
class LocalComputeBackendInMemoryTckTest extends ComputeBackendTck {

    @Override
    protected ComputeBackend newBackend(BlockStore store) {
        // A request limit as a remote backend has, so that its enforcement is checked too.
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 3, 256 * 1024);
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

package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.FaultToleranceTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.util.Set;

/** The FaultTolerance suite of the TCK on the local backend with the in-memory store. */
class LocalFaultToleranceInMemoryTckTest extends FaultToleranceTck {
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

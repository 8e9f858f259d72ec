package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.FaultToleranceTck;
import io.numpywren.tck.TckCapability;

import java.util.EnumSet;
import java.util.Set;

/** The FaultTolerance suite of the TCK on the local backend with the in-memory store. */
class LocalFaultToleranceInMemoryTckTest extends FaultToleranceTck {
    @Override
    protected ComputeBackend newBackend(BlockStore store) {
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 2);
    }

    @Override
    protected Set<TckCapability> capabilities() {
        return EnumSet.of(TckCapability.CANCELLATION, TckCapability.WORKERS_USE_GIVEN_STORE);
    }
}

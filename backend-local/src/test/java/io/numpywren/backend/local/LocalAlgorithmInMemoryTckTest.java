package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.AlgorithmTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The Algorithm suite of the TCK on the local backend with the in-memory store. */
class LocalAlgorithmInMemoryTckTest extends AlgorithmTck {
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

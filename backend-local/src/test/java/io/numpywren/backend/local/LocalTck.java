package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.TckCapability;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** What every TCK subclass of the local backend provides: the backend, and what it declares. */
final class LocalTck {
    private LocalTck() {
    }

    /** The local backend under test, with two workers on the given store. */
    static ComputeBackend backend(BlockStore store) {
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 2);
    }

    /** The local backend can cancel queued tasks, and its workers use the store object they are given. */
    static Set<TckCapability> capabilities() {
        return EnumSet.of(TckCapability.CANCELLATION, TckCapability.WORKERS_USE_GIVEN_STORE);
    }

    /** The capabilities declared to the kit are the ones the backend itself reports, so no group is skipped wrongly. */
    static void assertDeclaredCapabilitiesHold(Set<TckCapability> declared, ComputeBackend backend) {
        try (backend) {
            assertThat(declared.contains(TckCapability.CANCELLATION)).isEqualTo(backend.capabilities().canCancel());
            assertThat(declared).contains(TckCapability.WORKERS_USE_GIVEN_STORE);
        }
    }
}

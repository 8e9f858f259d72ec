package io.numpywren.backend.local;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.kernel.LinearAlgebraProviders;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.tck.BackendTrait;
import io.numpywren.tck.ProviderTck;

import java.util.EnumSet;
import java.util.Set;

/**
 * Every TCK suite on the local backend with the in-memory store, the default configuration: three
 * workers, and a request limit as a remote backend has (256 KiB), so that its enforcement is
 * checked too.
 */
class LocalInMemoryTckTest extends ProviderTck {
    @Override
    public BlockStore newStore() {
        return new InMemoryBlockStore("tck");
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) {
        return new LocalBackend(store, LinearAlgebraProviders.configured(), 3, 256 * 1024);
    }

    /** The workers are threads of this JVM that use the very store object they are given. */
    @Override
    public Set<BackendTrait> backendTraits() {
        return EnumSet.of(BackendTrait.WORKERS_USE_GIVEN_STORE);
    }
}

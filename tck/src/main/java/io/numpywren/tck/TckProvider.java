package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a provider gives the kit, once per configuration (a backend on a kind of store):
 * {@link ProviderTck} runs every suite from it. Only the two factories are required; the rest
 * has defaults that suit an in-process backend on a real store.
 */
public interface TckProvider {

    /**
     * A fresh store for one test, the one the backend's workers read and write (for a remote
     * backend: the bucket and prefix its workers are configured with).
     */
    BlockStore newStore() throws Exception;

    /** A backend whose workers read and write the blocks of {@code store}. */
    ComputeBackend newBackend(BlockStore store) throws Exception;

    /**
     * A fresh, empty store for {@link BlockStoreTck}, which lists and counts every key it holds.
     * By default {@link #newStore()}; a provider whose stores share one location (the workers'
     * fixed bucket and prefix) gives one of its own here.
     */
    default BlockStore newEmptyStore() throws Exception {
        return newStore();
    }

    /** The store's optional abilities; by default all of them, as every real store has. */
    default Set<StoreCapability> storeCapabilities() {
        return EnumSet.allOf(StoreCapability.class);
    }

    /** What the backend allows the kit beyond what its capabilities report; by default nothing. */
    default Set<BackendTrait> backendTraits() {
        return EnumSet.noneOf(BackendTrait.class);
    }

    /**
     * Settings laid over each job suite's own configuration (for example longer leases for
     * workers reached over a network); by default none.
     */
    default Config config(TckSuite suite) {
        return ConfigFactory.empty();
    }

    /** How long one job, or one task of {@link ComputeBackendTck}, may take before a test fails. */
    default Duration timeout() {
        return Duration.ofSeconds(60);
    }

    /** How an outsider reaches the workers, for the forgery test: see {@link ComputeBackendTck#outsideAccess()}. */
    default Optional<ComputeBackendTck.OutsideAccess> outsideAccess() {
        return Optional.empty();
    }

    /** Called before the first test of each suite (to start a stand-in's own faults, say). */
    default void beforeSuite(TckSuite suite) throws Exception {
    }

    /** Called after the last test of each suite (to check and stop them). */
    default void afterSuite(TckSuite suite) throws Exception {
    }

    /** Called before each test, with its method's name. */
    default void beforeTest(TckSuite suite, String test) throws Exception {
    }
}

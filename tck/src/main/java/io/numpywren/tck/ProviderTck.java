package io.numpywren.tck;

import com.typesafe.config.Config;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Every suite of the kit, for one configuration: a provider extends this once per configuration,
 * implements {@link TckProvider#newStore()} and {@link TckProvider#newBackend(BlockStore)}, and
 * JUnit runs the five suites as nested classes ({@code Store}, {@code Backend},
 * {@code Algorithms}, {@code BadInput}, {@code Faults}), each reading the provider's answers
 * and calling its hooks. Each nested suite is one instance for all its tests (its state is
 * set up before each test), so that the hooks around a suite see the provider.
 *
 * <pre>
 * class MyBackendOnS3TckTest extends ProviderTck {
 *     public BlockStore newStore() { return S3BlockStore.builder().bucket("b").prefix("tck").build(); }
 *     public ComputeBackend newBackend(BlockStore store) { return new MyBackend(store); }
 * }
 * </pre>
 */
@ExtendWith(ProviderHooks.class)
public abstract class ProviderTck implements TckProvider {

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Store extends BlockStoreTck {
        @Override
        protected BlockStore newStore() throws Exception {
            return ProviderTck.this.newEmptyStore();
        }

        @Override
        protected Set<StoreCapability> capabilities() {
            return storeCapabilities();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Backend extends ComputeBackendTck {
        @Override
        protected BlockStore newStore() throws Exception {
            return ProviderTck.this.newStore();
        }

        @Override
        protected ComputeBackend newBackend(BlockStore store) {
            try {
                return ProviderTck.this.newBackend(store);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("newBackend(store) failed: " + e, e);
            }
        }

        @Override
        protected Set<BackendTrait> traits() {
            return backendTraits();
        }

        @Override
        protected Duration completionTimeout() {
            return timeout();
        }

        @Override
        protected Optional<OutsideAccess> outsideAccess() {
            return ProviderTck.this.outsideAccess();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Algorithms extends AlgorithmTck {
        @Override
        protected BlockStore newStore() throws Exception {
            return ProviderTck.this.newStore();
        }

        @Override
        protected ComputeBackend newBackend(BlockStore store) throws Exception {
            return ProviderTck.this.newBackend(store);
        }

        @Override
        protected Set<BackendTrait> traits() {
            return backendTraits();
        }

        @Override
        protected Config config() {
            return ProviderTck.this.config(TckSuite.ALGORITHMS).withFallback(super.config());
        }

        @Override
        protected Duration jobTimeout() {
            return timeout();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class BadInput extends BadInputTck {
        @Override
        protected BlockStore newStore() throws Exception {
            return ProviderTck.this.newStore();
        }

        @Override
        protected ComputeBackend newBackend(BlockStore store) throws Exception {
            return ProviderTck.this.newBackend(store);
        }

        @Override
        protected Set<BackendTrait> traits() {
            return backendTraits();
        }

        @Override
        protected Config config() {
            return ProviderTck.this.config(TckSuite.BAD_INPUT).withFallback(super.config());
        }

        @Override
        protected Duration jobTimeout() {
            return timeout();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Faults extends FaultToleranceTck {
        @Override
        protected BlockStore newStore() throws Exception {
            return ProviderTck.this.newStore();
        }

        @Override
        protected ComputeBackend newBackend(BlockStore store) throws Exception {
            return ProviderTck.this.newBackend(store);
        }

        @Override
        protected Set<BackendTrait> traits() {
            return backendTraits();
        }

        @Override
        protected Config config() {
            return ProviderTck.this.config(TckSuite.FAULT_TOLERANCE).withFallback(super.config());
        }

        @Override
        protected Duration jobTimeout() {
            return timeout();
        }
    }
}

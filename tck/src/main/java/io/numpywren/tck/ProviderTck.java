package io.numpywren.tck;

import io.numpywren.storage.BlockStore;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

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
        protected TckProvider provider() {
            return ProviderTck.this;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Backend extends ComputeBackendTck {
        @Override
        protected TckProvider provider() {
            return ProviderTck.this;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Algorithms extends AlgorithmTck {
        @Override
        protected TckProvider provider() {
            return ProviderTck.this;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class BadInput extends BadInputTck {
        @Override
        protected TckProvider provider() {
            return ProviderTck.this;
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Faults extends FaultToleranceTck {
        @Override
        protected TckProvider provider() {
            return ProviderTck.this;
        }
    }
}

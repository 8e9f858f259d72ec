package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.scheduler.JobResult;
import io.numpywren.scheduler.Numpywren;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the suites that run jobs through {@link Numpywren} share: a fresh store per test from
 * {@link #newStore()}, the provider's backend from {@link #newBackend(BlockStore)}, the
 * {@code Numpywren} made on them before each test (see {@link #numpywrenForEachTest()}), and
 * its job area emptied and closed after it.
 */
public abstract class NumpywrenSuite {

    /** The {@code Numpywren} under test, made before each test from {@link #settings()}. */
    protected Numpywren nw;
    /** The store {@link #newStore()} made for this test: the driver's and (given to the backend) the workers'. */
    protected BlockStore store;

    /**
     * The provider this suite runs for, when {@link ProviderTck} nests it: every default below then
     * asks it. A suite subclassed alone returns null and overrides what it needs.
     */
    protected TckProvider provider() {
        return null;
    }

    /** The provider's backend, whose workers read and write {@code store}. Called once per test. */
    protected ComputeBackend newBackend(BlockStore store) throws Exception {
        if (provider() == null) {
            throw new IllegalStateException(getClass().getName() + " must override newBackend(store), or run from a "
                    + "ProviderTck");
        }
        return provider().newBackend(store);
    }

    /** A fresh store; by default the provider's, else in memory. Called once per test. */
    protected BlockStore newStore() throws Exception {
        return provider() != null ? provider().newStore() : new InMemoryBlockStore("tck");
    }

    /** What the backend allows the kit; by default the provider's traits, else none. */
    protected Set<BackendTrait> traits() {
        return provider() != null ? provider().backendTraits() : EnumSet.noneOf(BackendTrait.class);
    }

    /** Skips the calling test, saying which capability the provider does not declare. */
    protected final void requireTrait(BackendTrait trait, String what) {
        assumeTrue(traits().contains(trait),
                () -> "skipped: " + what + " needs " + trait + ", which " + getClass().getSimpleName()
                        + ".traits() does not declare");
    }

    /**
     * The configuration {@code Numpywren} is created with (the reference configuration fills in
     * the rest): a namespace of its own per test, frequent progress events.
     */
    protected Config config() {
        return ConfigFactory.parseString("""
                numpywren.namespace = "tck-%s"
                numpywren.scheduler.progress-interval = 50ms
                """.formatted(UUID.randomUUID().toString().substring(0, 8)));
    }

    /**
     * The configuration jobs run with: {@link #config()}, under what the provider sets for this
     * suite ({@link TckProvider#config(TckSuite)}).
     */
    protected final Config settings() {
        Config own = config();
        return provider() == null ? own : provider().config(TckSuite.of(this)).withFallback(own);
    }

    /** How long one job may take before the test fails; generous, for remote backends. */
    protected Duration jobTimeout() {
        return provider() != null ? provider().timeout() : Duration.ofSeconds(60);
    }

    /**
     * The {@code Numpywren} each test starts with, on {@code store} and the provider's backend.
     * A suite whose tests start their own returns {@code null}.
     */
    protected Numpywren numpywrenForEachTest() throws Exception {
        ComputeBackend backend = newBackend(store);
        assertThat(backend).as("newBackend(store)").isNotNull();
        return Numpywren.create(settings(), store, backend);
    }

    @BeforeEach
    public void startNumpywren() throws Exception {
        store = newStore();
        assertThat(store).as("newStore()").isNotNull();
        nw = numpywrenForEachTest();
    }

    @AfterEach
    public void closeNumpywren() {
        if (nw != null) {
            try {
                nw.store().deletePrefix(nw.config().getString("numpywren.namespace") + "/");
            } finally {
                nw.close();
            }
        } else if (store != null) {
            store.close();
        }
    }

    /** Where this test's jobs keep their objects. */
    protected String jobsRoot() {
        return nw.config().getString("numpywren.namespace") + "/jobs/";
    }

    /** The result of {@code stage}, failing the test if it takes longer than {@link #jobTimeout()}. */
    protected JobResult await(CompletionStage<JobResult> stage) {
        return TckJobs.await(stage, jobTimeout());
    }
}

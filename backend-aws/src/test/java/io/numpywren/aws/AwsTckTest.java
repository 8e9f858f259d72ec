package io.numpywren.aws;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.ComputeBackendTck;
import io.numpywren.tck.ProviderTck;
import io.numpywren.tck.StoreCapability;
import io.numpywren.tck.TckSuite;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the Lambda backend: the stand-in's worker JVMs, S3Mock for blocks, the
 * Secrets Manager stand-in for the task-signing key. The fault suite adds the stand-in's own
 * faults beneath the kit's, drawn from a seed: invocations throttled with 429, worker JVMs killed
 * mid-task (replaced by a cold start), and responses dropped after the worker wrote.
 */
class AwsTckTest extends ProviderTck {
    private static final LambdaStandIn.Faults FAULTS = new LambdaStandIn.Faults(0.03, 0.01, 0.02, 4, 40);
    private Map<String, Long> injectedBefore;

    /** The workers' bucket and prefix. */
    @Override
    public BlockStore newStore() {
        return AwsTck.store();
    }

    /**
     * A fresh bucket with no key prefix, so that the store suite's longest key (1024 characters)
     * is also S3's longest object key. {@link S3BlockStoreTest} covers stores with a prefix.
     */
    @Override
    public BlockStore newEmptyStore() {
        S3Mock s3 = S3Mock.get();
        return s3.storeBuilder(s3.newBucket()).build();
    }

    /**
     * S3Mock honours If-None-Match, but checks it and then writes in two steps, so of racing puts
     * several may succeed (seen: four of six). S3 itself decides them atomically ("Conditional
     * writes", S3 user guide); {@link S3BlockStoreTest} checks that every put sends the condition.
     */
    @Override
    public Set<StoreCapability> storeCapabilities() {
        return EnumSet.of(StoreCapability.LARGE_BLOCKS);
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) {
        return AwsTck.backend();
    }

    @Override
    public Optional<ComputeBackendTck.OutsideAccess> outsideAccess() {
        return Optional.of(AwsTck.outsideAccess());
    }

    /**
     * Under faults, leases of at least 1 s: an invocation through the stand-in takes tens of
     * milliseconds, but hundreds on a busy machine, and an attempt whose lease expires spuriously
     * may still write after a cancelled job was cleaned up (see {@link #beforeTest}). Only 3 (not
     * 10) times a kernel's median round trip, so that leases stay below the kit's late replies
     * (2.5 minimum leases), which are meant to expire them.
     */
    @Override
    public Config config(TckSuite suite) {
        if (suite != TckSuite.FAULT_TOLERANCE) {
            return ConfigFactory.empty();
        }
        return ConfigFactory.parseString("""
                numpywren.scheduler.lease.minimum = 1s
                numpywren.scheduler.lease.initial = 2s
                numpywren.scheduler.lease.factor = 3.0
                """);
    }

    @Override
    public void beforeSuite(TckSuite suite) {
        if (suite == TckSuite.FAULT_TOLERANCE) {
            injectedBefore = AwsTck.standIn().injected();
            AwsTck.standIn().faults(FAULTS);
        }
    }

    /** Each kind of the stand-in's faults occurred during the fault suite. */
    @Override
    public void afterSuite(TckSuite suite) {
        if (suite == TckSuite.FAULT_TOLERANCE) {
            LambdaStandIn standIn = AwsTck.standIn();
            standIn.faults(LambdaStandIn.Faults.NONE);
            Map<String, Long> injected = standIn.injected();
            for (String fault : List.of("throttled", "killed", "dropped")) {
                assertThat(injected.get(fault) - injectedBefore.get(fault)).as("faults '%s' the stand-in injected", fault)
                        .isPositive();
            }
        }
    }

    /**
     * No platform faults while a job is cancelled: a killed worker's task waits for a cold start,
     * outlives its lease, and the scheduler, which cleans up without waiting for attempts whose
     * lease expired, may remove the job area before that attempt writes its block.
     */
    @Override
    public void beforeTest(TckSuite suite, String test) {
        if (suite == TckSuite.FAULT_TOLERANCE) {
            AwsTck.standIn().faults(test.startsWith("cancelling") ? LambdaStandIn.Faults.NONE : FAULTS);
        }
    }
}

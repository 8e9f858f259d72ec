package io.numpywren.aws;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.FaultToleranceTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The FaultTolerance suite on the Lambda backend: the kit's faults around the backend, and
 * beneath it the stand-in's own, drawn from a seed: invocations throttled with 429, worker JVMs
 * killed mid-task (replaced by a cold start), and responses dropped after the worker wrote.
 */
class AwsFaultToleranceTckTest extends FaultToleranceTck {
    private static final LambdaStandIn.Faults FAULTS = new LambdaStandIn.Faults(0.03, 0.01, 0.02, 4, 40);
    private static Map<String, Long> before;

    @BeforeAll
    static void platformFaults() {
        before = AwsTck.standIn().injected();
        AwsTck.standIn().faults(FAULTS);
    }

    @AfterAll
    static void checkAndClearPlatformFaults() {
        LambdaStandIn standIn = AwsTck.standIn();
        standIn.faults(LambdaStandIn.Faults.NONE);
        Map<String, Long> injected = standIn.injected();
        for (String fault : List.of("throttled", "killed", "dropped")) {
            assertThat(injected.get(fault) - before.get(fault)).as("faults '%s' the stand-in injected", fault).isPositive();
        }
    }

    /**
     * Leases of at least 1 s: an invocation through the stand-in takes tens of milliseconds, but
     * hundreds on a busy machine, and an attempt whose lease expires spuriously may still write
     * after a cancelled job was cleaned up (see {@link #platformFaultsFor}). Only 3 (not 10) times
     * a kernel's median round trip, so that leases stay below the kit's late replies (2.5 minimum
     * leases), which are meant to expire them.
     */
    @Override
    protected Config config() {
        return ConfigFactory.parseString("""
                numpywren.scheduler.lease.minimum = 1s
                numpywren.scheduler.lease.initial = 2s
                numpywren.scheduler.lease.factor = 3.0
                """).withFallback(super.config());
    }

    /**
     * No platform faults while a job is cancelled: a killed worker's task waits for a cold start,
     * outlives its lease, and the scheduler, which cleans up without waiting for attempts whose
     * lease expired, may remove the job area before that attempt writes its block.
     */
    @BeforeEach
    void platformFaultsFor(TestInfo test) {
        boolean cancels = test.getTestMethod().map(m -> m.getName().startsWith("cancelling")).orElse(false);
        AwsTck.standIn().faults(cancels ? LambdaStandIn.Faults.NONE : FAULTS);
    }

    @Override
    protected BlockStore newStore() {
        return AwsTck.store();
    }

    @Override
    protected ComputeBackend newBackend(BlockStore store) {
        return AwsTck.backend();
    }

    @Override
    protected Set<TckCapability> capabilities() {
        return AwsTck.capabilities();
    }

    @Test
    void declaresWhatTheLambdaBackendCanDo() {
        AwsTck.assertDeclaredCapabilitiesHold(capabilities(), AwsTck.backend());
    }
}

package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A function platform's own faults beneath the fault suite's, injected by a
 * {@link FunctionFrontEnd} in front of the provider's function: on during
 * {@link TckSuite#FAULT_TOLERANCE} (except while a job is cancelled), off elsewhere, and after
 * the suite each kind must have occurred. A provider calls these from its {@link TckProvider}
 * hooks.
 */
public final class PlatformFaults {
    private final FunctionFrontEnd frontEnd;
    private final FunctionFrontEnd.Faults faults;
    private Map<String, Long> before;

    public PlatformFaults(FunctionFrontEnd frontEnd, FunctionFrontEnd.Faults faults) {
        this.frontEnd = frontEnd;
        this.faults = faults;
    }

    public void beforeSuite(TckSuite suite) {
        if (suite == TckSuite.FAULT_TOLERANCE) {
            before = frontEnd.injected();
        }
    }

    /**
     * No platform faults while a job is cancelled: a killed instance's task waits for a cold
     * start, outlives its lease, and the scheduler, which cleans up without waiting for attempts
     * whose lease expired, may remove the job area before that attempt writes its block.
     */
    public void beforeTest(TckSuite suite, String test) {
        frontEnd.faults(suite == TckSuite.FAULT_TOLERANCE && !test.startsWith("cancelling")
                ? faults : FunctionFrontEnd.Faults.NONE);
    }

    /** Faults off; after the fault suite, fails unless each kind occurred. */
    public void afterSuite(TckSuite suite) {
        frontEnd.faults(FunctionFrontEnd.Faults.NONE);
        if (suite == TckSuite.FAULT_TOLERANCE) {
            Map<String, Long> injected = frontEnd.injected();
            for (String fault : List.of("throttled", "killed", "dropped")) {
                assertThat(injected.get(fault) - before.get(fault)).as("faults '%s' the front end injected", fault)
                        .isPositive();
            }
        }
    }

    /** Leases of at least 1 s under faults: a request crosses HTTP and a JVM boundary. */
    public static Config leases(TckSuite suite) {
        return suite != TckSuite.FAULT_TOLERANCE ? ConfigFactory.empty() : ConfigFactory.parseString("""
                numpywren.scheduler.lease.minimum = 1s
                numpywren.scheduler.lease.initial = 2s
                numpywren.scheduler.lease.factor = 3.0
                """);
    }
}

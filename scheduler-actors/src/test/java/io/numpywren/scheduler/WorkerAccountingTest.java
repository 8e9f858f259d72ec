package io.numpywren.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class WorkerAccountingTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void nothingAllocatedBeforeTheFirstCall() {
        WorkerAccounting a = new WorkerAccounting(8);
        assertThat(a.allocatedSeconds()).isZero();
        assertThat(a.busySeconds()).isZero();
        assertThat(a.allocatedWorkers()).isZero();
        assertThat(a.fixedPoolSeconds(100 * SECOND)).isZero();
    }

    @Test
    void integratesAllocationOverTime() {
        long t0 = 5_000 * SECOND; // an arbitrary clock origin
        WorkerAccounting a = new WorkerAccounting(10);
        a.allocate(t0, 2);
        assertThat(a.allocatedSeconds()).isZero();
        assertThat(a.allocatedWorkers()).isEqualTo(2);
        a.allocate(t0 + 3 * SECOND, 5);          // 2 workers for 3 s
        assertThat(a.allocatedSeconds()).isCloseTo(6.0, within(1e-9));
        a.allocate(t0 + 3 * SECOND, 1);          // no time passed: only the level changes
        assertThat(a.allocatedSeconds()).isCloseTo(6.0, within(1e-9));
        a.allocate(t0 + 7 * SECOND, 0);          // 1 worker for 4 s
        assertThat(a.allocatedSeconds()).isCloseTo(10.0, within(1e-9));
        a.allocate(t0 + 20 * SECOND, 3);         // 0 workers for 13 s
        assertThat(a.allocatedSeconds()).isCloseTo(10.0, within(1e-9));
        a.allocate(t0 + 20 * SECOND + SECOND / 2, 0); // 3 workers for 0.5 s
        assertThat(a.allocatedSeconds()).isCloseTo(11.5, within(1e-9));
        assertThat(a.allocatedWorkers()).isZero();
        assertThat(a.fixedPoolSeconds(t0 + 20 * SECOND + SECOND / 2)).isCloseTo(205.0, within(1e-9));
    }

    @Test
    void fixedPoolCountsFromTheFirstAllocation() {
        WorkerAccounting a = new WorkerAccounting(4);
        a.allocate(10 * SECOND, 1);
        assertThat(a.fixedPoolSeconds(10 * SECOND)).isZero();
        assertThat(a.fixedPoolSeconds(12 * SECOND)).isCloseTo(8.0, within(1e-9));
        a.allocate(15 * SECOND, 4);
        assertThat(a.fixedPoolSeconds(15 * SECOND)).isCloseTo(20.0, within(1e-9));
        assertThat(a.allocatedSeconds()).isCloseTo(5.0, within(1e-9));
        assertThat(a.allocatedSeconds()).isLessThanOrEqualTo(a.fixedPoolSeconds(15 * SECOND));
    }

    @Test
    void busySecondsAccumulate() {
        WorkerAccounting a = new WorkerAccounting(1);
        a.busy(0.25);
        a.busy(1.5);
        a.busy(0);
        assertThat(a.busySeconds()).isCloseTo(1.75, within(1e-12));
        assertThat(a.allocatedSeconds()).as("busy time is separate from allocation").isZero();
    }
}

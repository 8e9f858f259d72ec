package io.numpywren.scheduler;

import io.numpywren.lambdapack.Task;
import io.numpywren.scheduler.LeaseTable.Lease;
import io.numpywren.scheduler.LeaseTable.Outcome;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LeaseTableTest {
    private static final Task A = new Task(0, new long[] {1});
    private static final Task B = new Task(1, new long[] {1, 2});
    private static final Task C = new Task(2, new long[0]);

    @Test
    void attemptsAreNumberedFromOnePerTask() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 3, 100, 50, false);
        Lease b1 = t.grant(B, 0, 100, 50, false);
        Lease a2 = t.grant(A, 3, 110, 50, true);
        Lease a3 = t.grant(A, 3, 120, 50, false);
        assertThat(List.of(a1.attempt(), a2.attempt(), a3.attempt())).containsExactly(1, 2, 3);
        assertThat(b1.attempt()).isEqualTo(1);
        assertThat(t.attempts(A)).isEqualTo(3);
        assertThat(t.attempts(B)).isEqualTo(1);
        assertThat(t.attempts(C)).isZero();
        assertThat(a1).isEqualTo(new Lease(A, 1, 3, 100, 150, false));
        assertThat(a2.speculative()).isTrue();
        assertThat(a2.deadlineNanos()).isEqualTo(160);
        assertThat(t.inFlight()).isEqualTo(4);
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.liveCount(A)).isEqualTo(3);
    }

    @Test
    void firstSuccessWinsAndReturnsEveryLeaseThenDuplicates() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 0, 0, 10, false);
        Lease a2 = t.grant(A, 0, 5, 10, true);
        t.grant(B, 0, 0, 10, false);
        List<Lease> others = new ArrayList<>();
        assertThat(t.succeeded(A, others)).isEqualTo(Outcome.FIRST);
        assertThat(others).containsExactlyInAnyOrder(a1, a2);
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.liveCount(A)).isZero();
        assertThat(t.hasOutstanding(A)).isFalse();
        List<Lease> again = new ArrayList<>();
        assertThat(t.succeeded(A, again)).isEqualTo(Outcome.DUPLICATE);
        assertThat(again).isEmpty();
        assertThat(t.inFlight()).isEqualTo(1);
    }

    @Test
    void successOfUnknownTaskIsDuplicate() {
        LeaseTable t = new LeaseTable();
        List<Lease> others = new ArrayList<>();
        assertThat(t.succeeded(C, others)).isEqualTo(Outcome.DUPLICATE);
        assertThat(others).isEmpty();
        assertThat(t.inFlight()).isZero();
    }

    @Test
    void failedRemovesOnlyThatAttempt() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 2, 0, 10, false);
        Lease a2 = t.grant(A, 2, 1, 10, true);
        assertThat(t.failed(A, 1)).isEqualTo(a1);
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(t.liveCount(A)).isEqualTo(1);
        assertThat(t.hasOutstanding(A)).isTrue();
        assertThat(t.failed(A, 1)).as("already removed").isNull();
        assertThat(t.failed(A, 7)).as("unknown attempt").isNull();
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(t.failed(A, 2)).isEqualTo(a2);
        assertThat(t.hasOutstanding(A)).isFalse();
        assertThat(t.inFlight()).isZero();
        // the task stays known (for its retry budget) and its next attempt is 3
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.attempts(A)).isEqualTo(2);
        assertThat(t.grant(A, 2, 20, 10, false).attempt()).isEqualTo(3);
    }

    @Test
    void failedForAFinishedOrUnknownTaskIsNull() {
        LeaseTable t = new LeaseTable();
        assertThat(t.failed(B, 1)).isNull();
        t.grant(B, 0, 0, 10, false);
        t.succeeded(B, new ArrayList<>());
        assertThat(t.failed(B, 1)).isNull();
        assertThat(t.inFlight()).isZero();
    }

    @Test
    void expireMovesLeasesPastDeadlineOutOfFlight() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 0, 0, 100, false);   // deadline 100
        Lease b1 = t.grant(B, 0, 50, 100, false);  // deadline 150
        assertThat(t.expire(99)).isEmpty();
        assertThat(t.inFlight()).isEqualTo(2);
        assertThat(t.expire(100)).as("deadline reached counts as expired").containsExactly(a1);
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(t.liveCount(A)).isZero();
        assertThat(t.hasOutstanding(A)).as("an expired worker may still answer").isTrue();
        assertThat(t.liveLeases()).containsExactly(b1);
        assertThat(t.outstanding()).containsExactlyInAnyOrder(a1, b1);
        assertThat(t.expire(120)).as("expires only once").isEmpty();
        assertThat(t.expire(1_000)).containsExactly(b1);
        assertThat(t.inFlight()).isZero();
        assertThat(t.liveLeases()).isEmpty();
        assertThat(t.size()).isEqualTo(2);
    }

    @Test
    void lateResultFromExpiredLeaseIsStillFirst() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 1, 0, 10, false);
        t.expire(10);
        Lease a2 = t.grant(A, 1, 10, 10, false);
        assertThat(a2.attempt()).isEqualTo(2);
        assertThat(t.inFlight()).isEqualTo(1);
        List<Lease> others = new ArrayList<>();
        assertThat(t.succeeded(A, others)).isEqualTo(Outcome.FIRST);
        assertThat(others).containsExactlyInAnyOrder(a1, a2);
        assertThat(t.inFlight()).isZero();
        assertThat(t.succeeded(A, new ArrayList<>())).isEqualTo(Outcome.DUPLICATE);
    }

    @Test
    void failureOfExpiredLeaseIsRemovedWithoutChangingInFlight() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 0, 0, 10, false);
        t.expire(10);
        Lease a2 = t.grant(A, 0, 10, 10, false);
        assertThat(t.failed(A, 1)).isEqualTo(a1);
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(t.liveCount(A)).isEqualTo(1);
        assertThat(t.outstanding()).containsExactly(a2);
        assertThat(t.failed(A, 2)).isEqualTo(a2);
        assertThat(t.inFlight()).isZero();
        assertThat(t.hasOutstanding(A)).isFalse();
    }

    @Test
    void speculativeLeaseIsASecondLiveLease() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 4, 0, 1_000, false);
        Lease copy = t.grant(A, 4, 500, 1_000, true);
        assertThat(copy.speculative()).isTrue();
        assertThat(copy.attempt()).isEqualTo(2);
        assertThat(copy.level()).isEqualTo(4);
        assertThat(t.liveCount(A)).isEqualTo(2);
        assertThat(t.inFlight()).isEqualTo(2);
        assertThat(t.liveLeases()).containsExactlyInAnyOrder(a1, copy);
        // the copy answers first
        List<Lease> all = new ArrayList<>();
        assertThat(t.succeeded(A, all)).isEqualTo(Outcome.FIRST);
        assertThat(all).containsExactlyInAnyOrder(a1, copy);
        assertThat(t.inFlight()).isZero();
    }

    @Test
    void abandonForgetsTheTaskAndReturnsItsLeases() {
        LeaseTable t = new LeaseTable();
        Lease a1 = t.grant(A, 0, 0, 10, false);
        t.expire(10);
        Lease a2 = t.grant(A, 0, 10, 10, false);
        Lease b1 = t.grant(B, 0, 10, 10, false);
        assertThat(t.inFlight()).isEqualTo(2);
        assertThat(t.abandon(A)).containsExactlyInAnyOrder(a1, a2);
        assertThat(t.inFlight()).isEqualTo(1);
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.hasOutstanding(A)).isFalse();
        assertThat(t.attempts(A)).isZero();
        assertThat(t.abandon(A)).isEmpty();
        assertThat(t.abandon(C)).isEmpty();
        assertThat(t.succeeded(A, new ArrayList<>())).isEqualTo(Outcome.DUPLICATE);
        assertThat(t.outstanding()).containsExactly(b1);
    }

    @Test
    void inFlightCountsLiveLeasesAcrossOperations() {
        LeaseTable t = new LeaseTable();
        for (int i = 0; i < 10; i++) {
            t.grant(new Task(0, new long[] {i}), 0, i, 100, false);
        }
        assertThat(t.inFlight()).isEqualTo(10);
        assertThat(t.liveLeases()).hasSize(10);
        t.expire(104); // deadlines 100..104 expire
        assertThat(t.inFlight()).isEqualTo(5);
        t.failed(new Task(0, new long[] {9}), 1);
        assertThat(t.inFlight()).isEqualTo(4);
        t.succeeded(new Task(0, new long[] {8}), new ArrayList<>());
        assertThat(t.inFlight()).isEqualTo(3);
        t.succeeded(new Task(0, new long[] {0}), new ArrayList<>()); // an expired one
        assertThat(t.inFlight()).isEqualTo(3);
        t.abandon(new Task(0, new long[] {7}));
        assertThat(t.inFlight()).isEqualTo(2);
        assertThat(t.liveLeases()).hasSize(t.inFlight());
        assertThat(t.outstanding()).hasSize(2 + 4);
    }
}

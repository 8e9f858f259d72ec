package io.numpywren.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StragglerPolicyTest {
    private static final long MS = 1_000_000L;

    private static StragglerPolicy withSamples(boolean enabled, double factor, long minimum, long... samples) {
        StragglerPolicy p = new StragglerPolicy(enabled, factor, minimum);
        for (long s : samples) {
            p.finished("gemm", s);
        }
        return p;
    }

    @Test
    void needsFiveSamples() {
        StragglerPolicy p = new StragglerPolicy(true, 2.0, 0);
        for (int i = 1; i <= 4; i++) {
            p.finished("syrk", 10 * MS);
            assertThat(p.typicalNanos("syrk")).isEqualTo(-1);
            assertThat(p.isStraggler("syrk", 1_000_000 * MS)).isFalse();
        }
        p.finished("syrk", 10 * MS);
        assertThat(p.typicalNanos("syrk")).isEqualTo(10 * MS);
        assertThat(p.isStraggler("syrk", 1_000_000 * MS)).isTrue();
        assertThat(p.typicalNanos("chol")).as("per kernel").isEqualTo(-1);
        assertThat(p.isStraggler("chol", 1_000_000 * MS)).isFalse();
    }

    @Test
    void typicalIsTheMedian() {
        StragglerPolicy odd = withSamples(true, 2.0, 0, 50, 1, 1000, 3, 7);
        assertThat(odd.typicalNanos("gemm")).isEqualTo(7);
        StragglerPolicy even = withSamples(true, 2.0, 0, 8, 2, 6, 4, 100, 1);
        // sorted 1 2 4 6 8 100: the upper median
        assertThat(even.typicalNanos("gemm")).isEqualTo(6);
    }

    @Test
    void medianIsOverARecentWindow() {
        StragglerPolicy p = new StragglerPolicy(true, 2.0, 0);
        for (int i = 0; i < 64; i++) {
            p.finished("k", 1000);
        }
        assertThat(p.typicalNanos("k")).isEqualTo(1000);
        for (int i = 0; i < 64; i++) {
            p.finished("k", 10);
        }
        assertThat(p.typicalNanos("k")).as("old samples age out").isEqualTo(10);
    }

    @Test
    void factorIsAStrictThreshold() {
        StragglerPolicy p = withSamples(true, 3.0, 0, 100, 100, 100, 100, 100);
        assertThat(p.isStraggler("gemm", 299)).isFalse();
        assertThat(p.isStraggler("gemm", 300)).isFalse();
        assertThat(p.isStraggler("gemm", 301)).isTrue();
    }

    @Test
    void minimumRuntimeApplies() {
        StragglerPolicy p = withSamples(true, 2.0, 50 * MS, MS, MS, MS, MS, MS);
        assertThat(p.isStraggler("gemm", 10 * MS)).as("over factor x median but under the minimum").isFalse();
        assertThat(p.isStraggler("gemm", 50 * MS - 1)).isFalse();
        assertThat(p.isStraggler("gemm", 50 * MS)).isTrue();
    }

    @Test
    void disabledNeverSpeculates() {
        StragglerPolicy p = withSamples(false, 2.0, 0, 1, 1, 1, 1, 1, 1);
        assertThat(p.isStraggler("gemm", Long.MAX_VALUE)).isFalse();
        assertThat(p.typicalNanos("gemm")).as("history is still kept (for leases)").isEqualTo(1);
    }

    @Test
    void factorMustExceedOne() {
        assertThatThrownBy(() -> new StragglerPolicy(true, 1.0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceed 1");
        assertThatThrownBy(() -> new StragglerPolicy(true, 0.5, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}

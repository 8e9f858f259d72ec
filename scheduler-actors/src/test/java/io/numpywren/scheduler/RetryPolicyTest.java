package io.numpywren.scheduler;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetryPolicyTest {
    @Test
    void backoffGrowsExponentially() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), 2.0, Duration.ofSeconds(100));
        assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(400));
        assertThat(p.backoff(5)).isEqualTo(Duration.ofMillis(1600));
        assertThat(p.backoff(0)).as("no attempts yet: the initial backoff").isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void nonIntegerMultiplier() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), 1.5, Duration.ofSeconds(100));
        assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(150));
        assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(225));
    }

    @Test
    void multiplierOneIsConstant() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(70), 1.0, Duration.ofSeconds(1));
        for (int a = 1; a <= 9; a++) {
            assertThat(p.backoff(a)).isEqualTo(Duration.ofMillis(70));
        }
    }

    @Test
    void backoffIsCapped() {
        RetryPolicy p = new RetryPolicy(100, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1));
        assertThat(p.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(p.backoff(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(6)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(90)).as("no overflow for huge exponents").isEqualTo(Duration.ofSeconds(1));
        assertThat(p.backoff(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void backoffIsMonotone() {
        RetryPolicy p = RetryPolicy.defaults();
        Duration previous = Duration.ZERO;
        for (int a = 1; a < 40; a++) {
            Duration d = p.backoff(a);
            assertThat(d).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(p.maxBackoff());
            previous = d;
        }
        assertThat(previous).isEqualTo(p.maxBackoff());
    }

    @Test
    void budgetCountsAttempts() {
        RetryPolicy p = new RetryPolicy(3, Duration.ZERO, 2.0, Duration.ZERO);
        assertThat(p.mayRetry(0)).isTrue();
        assertThat(p.mayRetry(1)).isTrue();
        assertThat(p.mayRetry(2)).isTrue();
        assertThat(p.mayRetry(3)).isFalse();
        assertThat(p.mayRetry(4)).isFalse();
        RetryPolicy once = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO);
        assertThat(once.mayRetry(1)).as("one attempt means no retry").isFalse();
        assertThat(once.backoff(1)).isEqualTo(Duration.ZERO);
    }

    @Test
    void defaultsMatchReferenceConf() {
        RetryPolicy d = RetryPolicy.defaults();
        assertThat(d).isEqualTo(new RetryPolicy(6, Duration.ofMillis(100), 2.0, Duration.ofSeconds(10)));
        assertThat(SchedulerSettings.defaults().retry()).isEqualTo(d);
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 2.0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ZERO, 2.0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ofMillis(-1), 2.0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, 2.0, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> new RetryPolicy(3, Duration.ZERO, 0.5, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiplier");
        assertThatThrownBy(() -> new RetryPolicy(3, null, 2.0, Duration.ZERO))
                .isInstanceOf(NullPointerException.class);
    }
}

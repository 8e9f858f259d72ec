package io.numpywren.scheduler;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScalingPolicyTest {
    @Test
    void targetIsDemandDividedByWidthRoundedUp() {
        ScalingPolicy p = new ScalingPolicy(100, 4);
        assertThat(p.target(0, 0)).isZero();
        assertThat(p.target(1, 0)).isEqualTo(1);
        assertThat(p.target(0, 4)).isEqualTo(1);
        assertThat(p.target(3, 2)).isEqualTo(2);
        assertThat(p.target(4, 4)).isEqualTo(2);
        assertThat(p.target(4, 5)).isEqualTo(3);
    }

    @Test
    void targetIsCappedByMaxWorkers() {
        ScalingPolicy p = new ScalingPolicy(5, 1);
        assertThat(p.target(3, 1)).isEqualTo(4);
        assertThat(p.target(3, 2)).isEqualTo(5);
        assertThat(p.target(1000, 1000)).isEqualTo(5);
        assertThat(p.target(Integer.MAX_VALUE, Integer.MAX_VALUE)).as("no overflow").isEqualTo(5);
    }

    @Test
    void widthOneIsOneWorkerPerTask() {
        ScalingPolicy p = new ScalingPolicy(1000, 1);
        for (int ready = 0; ready < 20; ready++) {
            for (int inFlight = 0; inFlight < 20; inFlight++) {
                assertThat(p.target(ready, inFlight)).isEqualTo(ready + inFlight);
            }
        }
    }

    @Test
    void matchesFormulaExhaustively() {
        for (int max = 1; max <= 6; max++) {
            for (int width = 1; width <= 5; width++) {
                ScalingPolicy p = new ScalingPolicy(max, width);
                for (int ready = 0; ready <= 30; ready++) {
                    for (int inFlight = 0; inFlight <= 30; inFlight++) {
                        int expected = (int) Math.min(max, Math.ceil((ready + inFlight) / (double) width));
                        assertThat(p.target(ready, inFlight)).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void slotsAreWorkersTimesWidth() {
        assertThat(new ScalingPolicy(10, 3).slots(0)).isZero();
        assertThat(new ScalingPolicy(10, 3).slots(4)).isEqualTo(12);
        assertThat(new ScalingPolicy(10, 1).slots(7)).isEqualTo(7);
    }

    @Test
    void validation() {
        assertThatThrownBy(() -> new ScalingPolicy(0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWorkers");
        assertThatThrownBy(() -> new ScalingPolicy(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pipelineWidth");
        assertThatThrownBy(() -> new ScalingPolicy(-3, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.numpywren.bench;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DagBoundTest {
    @Test
    void aChainTakesItsCriticalPathWhateverTheWorkers() {
        DagBound chain = new DagBound(new double[] {1, 2, 3}, List.of(new int[] {1}, new int[] {2}, new int[0]));
        assertThat(chain.criticalPath()).isEqualTo(6.0);
        assertThat(chain.workBound(2)).isEqualTo(3.0);
        assertThat(chain.lowerBound(2)).isEqualTo(6.0);
        assertThat(chain.listSchedule(2)).isEqualTo(6.0);
    }

    @Test
    void independentEqualTasksShareTheWorkersEvenly() {
        List<int[]> none = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            none.add(new int[0]);
        }
        DagBound flat = new DagBound(new double[] {1, 1, 1, 1, 1, 1}, none);
        assertThat(flat.workBound(2)).isEqualTo(3.0);
        assertThat(flat.criticalPath()).isEqualTo(1.0);
        assertThat(flat.listSchedule(2)).isEqualTo(3.0);
        assertThat(flat.listSchedule(4)).isEqualTo(2.0);
    }

    @Test
    void theListScheduleStartsTheLongestPathFirst() {
        // 0 (1 s) leads to a 5 s chain; 1 and 2 (1 s each) lead nowhere. On one worker every order
        // takes 8 s; on two, starting 0 first finishes at 6 s, starting 1 and 2 first at 7 s.
        DagBound g = new DagBound(new double[] {1, 1, 1, 5}, List.of(new int[] {3}, new int[0], new int[0], new int[0]));
        assertThat(g.listSchedule(1)).isEqualTo(8.0);
        assertThat(g.listSchedule(2)).isEqualTo(6.0);
    }

    @Test
    void randomGraphsScheduleBetweenTheLowerBoundAndTwiceIt() {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + random.nextInt(40);
            double[] seconds = new double[n];
            List<int[]> children = new ArrayList<>();
            for (int t = 0; t < n; t++) {
                seconds[t] = random.nextDouble(0.1, 2);
                List<Integer> cs = new ArrayList<>();
                for (int c = t + 1; c < n; c++) {
                    if (random.nextInt(5) == 0) {
                        cs.add(c);
                    }
                }
                children.add(cs.stream().mapToInt(Integer::intValue).toArray());
            }
            DagBound g = new DagBound(seconds, children);
            for (int workers = 1; workers <= 4; workers++) {
                double bound = g.lowerBound(workers);
                assertThat(g.listSchedule(workers)).isBetween(bound - 1e-9, 2 * bound);
            }
            assertThat(g.listSchedule(1)).isCloseTo(g.workBound(1), within(1e-9));
        }
    }

    @Test
    void cyclesAndBadInputAreNamed() {
        DagBound cycle = new DagBound(new double[] {1, 1}, List.of(new int[] {1}, new int[] {0}));
        assertThatThrownBy(cycle::criticalPath).hasMessageContaining("cycle");
        assertThatThrownBy(() -> cycle.listSchedule(2)).hasMessageContaining("cycle");
        assertThatThrownBy(() -> new DagBound(new double[] {1}, List.of(new int[] {3})))
                .hasMessageContaining("task 0 has child 3");
        assertThatThrownBy(() -> new DagBound(new double[] {Double.NaN}, List.of(new int[0])))
                .hasMessageContaining("task 0 takes NaN");
    }
}

package io.numpywren.scheduler;

import com.typesafe.config.ConfigFactory;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.ForwardingBlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;

import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobLimitsTest {
    /** A store that reports {@code room} bytes free, as a nearly full disk would. */
    private static BlockStore storeWithRoom(long room) {
        return new ForwardingBlockStore(new InMemoryBlockStore("small")) {
            @Override
            public OptionalLong capacityBytes() {
                return OptionalLong.of(room);
            }
        };
    }

    private static JobPlan cholesky(long n, int block) {
        BlockMatrix a = BlockMatrix.builder(new InMemoryBlockStore(), "t", "A").shape(n, n).blockSize(block).create();
        BuiltinPrograms.Job job = BuiltinPrograms.cholesky(a, "t/job");
        return new JobPlan("job", "cholesky", "t/job", job.program(), job.outputs(), job.intermediates());
    }

    @Test
    void aTaskThatCannotFitInAWorkerIsRefusedBeforeTheJobNamingItsStatement() {
        // Cholesky's largest task is the trailing update: S = syrk(I, O, O), four blocks of 8 x 8 x 8 bytes.
        JobPlan plan = cholesky(64, 8);
        long largest = 4L * 8 * 8 * Double.BYTES;
        assertThat(plan.program().largestTask().bytes()).isEqualTo(largest);
        assertThat(plan.program().largestTask().statement()).contains("syrk");
        assertThatCode(() -> JobLimits.checkTaskMemory(plan, "local", largest)).doesNotThrowAnyException();
        assertThatThrownBy(() -> JobLimits.checkTaskMemory(plan, "aws", largest - 1))
                .hasMessageStartingWith("cholesky's largest task (").hasMessageContaining("syrk")
                .hasMessageContaining("holds 2.0 KB of blocks, more than the 2.0 KB each aws worker has")
                .hasMessageContaining("use a smaller block");
        JobPlan gemm = gemm(64, 16);
        assertThat(gemm.program().largestTask().bytes()).as("A, B and C blocks")
                .isGreaterThanOrEqualTo(3L * 16 * 16 * Double.BYTES);
    }

    private static JobPlan gemm(long n, int block) {
        BlockMatrix a = BlockMatrix.builder(new InMemoryBlockStore(), "t", "A").shape(n, n).blockSize(block).create();
        BuiltinPrograms.Job job = BuiltinPrograms.gemm(a, a, "t/job");
        return new JobPlan("job", "gemm", "t/job", job.program(), job.outputs(), job.intermediates());
    }

    @Test
    void theDefaultsComeFromTheReferenceConfiguration() {
        JobLimits limits = JobLimits.from(ConfigFactory.defaultReference().resolve());
        assertThat(limits.maxTasks()).isEqualTo(20_000_000L);
        assertThat(limits.countingBudget()).isPositive();
        assertThatThrownBy(() -> new JobLimits(0, 1)).hasMessageContaining("must be positive");
    }

    @Test
    void sizesNeverOverflowAndReadAsPeopleWriteThem() {
        assertThat(JobLimits.float64Bytes(4096, 4096)).isEqualTo(134_217_728L);
        assertThat(JobLimits.float64Bytes(10_000_000_000L, 10_000_000_000L)).isEqualTo(Long.MAX_VALUE);
        assertThat(JobLimits.float64Bytes(Long.MAX_VALUE, 2)).isEqualTo(Long.MAX_VALUE);
        assertThat(JobLimits.size(999)).isEqualTo("999 B");
        assertThat(JobLimits.size(800_000_000_000_000L)).isEqualTo("800.0 TB");
        assertThat(JobLimits.size(Long.MAX_VALUE)).isEqualTo("more than 8 EB");
    }

    @Test
    void whatTheStoreCannotHoldIsRefusedWithTheFiguresAndAWayOut() {
        BlockStore small = storeWithRoom(1_000_000);
        assertThatCode(() -> JobLimits.checkFits("matrix A", 999_999, small)).doesNotThrowAnyException();
        for (long bytes : new long[] {1_000_001, 8_000_000_000L, Long.MAX_VALUE}) {
            assertThatThrownBy(() -> JobLimits.checkFits("matrix A", bytes, small))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("matrix A needs " + JobLimits.size(bytes))
                    .hasMessageContaining("has 1.0 MB free").hasMessageContaining("--store");
        }
        BlockStore unlimited = new ForwardingBlockStore(new InMemoryBlockStore()) {
            @Override
            public OptionalLong capacityBytes() {
                return OptionalLong.empty();
            }
        };
        assertThatCode(() -> JobLimits.checkFits("matrix A", Long.MAX_VALUE, unlimited)).doesNotThrowAnyException();
    }

    @Test
    void aJobWithMoreTasksThanTheLimitIsRefusedWithoutCountingThemAll() {
        JobLimits limits = new JobLimits(1_000, 1_000_000);
        assertThatCode(() -> limits.checkTasks(cholesky(16 * 8, 8))).doesNotThrowAnyException(); // 816 tasks
        for (long n : new long[] {18 * 8, 4096, 10_000_000_000L}) { // 1,140 tasks and up
            assertThatThrownBy(() -> limits.checkTasks(cholesky(n, 8))).as("n=%d", n)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("has more than 1,000 tasks").hasMessageContaining("larger block");
        }
    }

    @Test
    void aJobsOutputsAreCountedAtTheirFullSize() {
        assertThat(JobLimits.outputBytes(cholesky(1024, 256))).isEqualTo(1024L * 1024 * 8);
    }

    @Test
    void anExactCountIsKeptSoThePlanIsCountedOnce() {
        JobPlan plan = cholesky(16 * 8, 8); // 816 tasks
        assertThat(plan.taskCountUpTo(10, 1_000_000)).hasValue(11);
        assertThat(plan.taskCountUpTo(1_000, 1_000_000)).hasValue(816);
        assertThat(plan.taskCountUpTo(10, 1_000_000)).as("from the kept count").hasValue(11);
        assertThat(plan.taskCount()).isEqualTo(816).isEqualTo(plan.program().analyser().taskCount());
    }
}

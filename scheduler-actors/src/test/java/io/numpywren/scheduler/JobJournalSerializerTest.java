package io.numpywren.scheduler;

import org.junit.jupiter.api.Test;

import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobJournalSerializerTest {
    private final JobJournalSerializer serializer = new JobJournalSerializer();

    @Test
    void eventsAreJsonWithAnExplicitTypeAndReadBackEqual() throws Exception {
        JobJournal.TasksFinished finished = new JobJournal.TasksFinished(List.of(new JobJournal.FinishedTask("5:1,3",
                "e1a2", 4, List.of(new JobJournal.Block("ns/L/3_1.e1a2", -17)), 1000, 2048, 512, 0.25, "openblas")), 3);
        byte[] bytes = serializer.toBinary(finished);
        assertThat(serializer.manifest(finished)).isEqualTo("tasks-finished.v1");
        assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("{").contains("\"version\":\"e1a2\"");
        assertThat(serializer.fromBinary(bytes, "tasks-finished.v1")).isEqualTo(finished);
        JobJournal.Ended ended = new JobJournal.Ended("FAILED", "cancelled: no", 7L);
        assertThat(serializer.fromBinary(serializer.toBinary(ended), serializer.manifest(ended))).isEqualTo(ended);
    }

    @Test
    void anUnknownTypeOrACorruptRecordIsRefusedSayingWhat() {
        assertThatThrownBy(() -> serializer.fromBinary("{}".getBytes(StandardCharsets.UTF_8), "teleported.v9"))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("unknown journal record type 'teleported.v9'");
        assertThatThrownBy(() -> serializer.fromBinary("{\"epoch\":".getBytes(StandardCharsets.UTF_8), "resumed.v1"))
                .isInstanceOf(NotSerializableException.class).hasMessageContaining("journal record 'resumed.v1' is not valid");
        assertThatThrownBy(() -> serializer.toBinary("a string"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no journal type for java.lang.String");
    }

    @Test
    void tasksAndBlocksReadBackFromTheirText() {
        assertThat(JobJournal.parseTask("0:")).isEqualTo(new io.numpywren.lambdapack.Task(0, new long[0]));
        assertThat(JobJournal.parseTask("5:1,3,2")).isEqualTo(new io.numpywren.lambdapack.Task(5, new long[] {1, 3, 2}));
        io.numpywren.lambdapack.BlockId block = new io.numpywren.lambdapack.BlockId("S", new long[] {1, 3, 2});
        assertThat(JobJournal.parseBlock(JobJournal.blockText(block))).isEqualTo(block);
        assertThatThrownBy(() -> JobJournal.parseTask("nonsense")).hasMessageContaining("malformed task 'nonsense'");
    }
}

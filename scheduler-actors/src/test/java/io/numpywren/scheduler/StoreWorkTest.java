package io.numpywren.scheduler;

import io.numpywren.scheduler.JobCoordinator.Actions;
import io.numpywren.scheduler.JobCoordinator.CleanUp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreWorkTest {
    private static Actions deletes(String... keys) {
        return new Actions(List.of(), List.of(), List.of(keys), CleanUp.NONE, false);
    }

    private static Actions cleanUp(CleanUp c) {
        return new Actions(List.of(), List.of(), List.of(), c, true);
    }

    @Test
    void onePieceRunsAtATimeAndDeletesThatPileUpMeanwhileGoTogether() {
        StoreWork w = new StoreWork(1000);
        assertThat(w.idle()).isTrue();
        w.add(deletes("a"));
        StoreWork.Piece first = w.start();
        assertThat(first.deletes()).containsExactly("a");
        w.add(deletes("b", "c"));
        w.add(deletes("d"));
        assertThat(w.start()).as("one piece at a time").isNull();
        assertThat(w.idle()).isFalse();
        w.finished();
        assertThat(w.start().deletes()).containsExactly("b", "c", "d");
        w.finished();
        assertThat(w.start()).isNull();
        assertThat(w.idle()).isTrue();
        assertThat(w.piecesRun()).isEqualTo(2);
    }

    @Test
    void aBatchHoldsAtMostTheLimit() {
        StoreWork w = new StoreWork(2);
        w.add(deletes("a", "b", "c", "d", "e"));
        List<List<String>> batches = new ArrayList<>();
        for (StoreWork.Piece p = w.start(); p != null; p = w.start()) {
            batches.add(p.deletes());
            w.finished();
        }
        assertThat(batches).containsExactly(List.of("a", "b"), List.of("c", "d"), List.of("e"));
        assertThatThrownBy(() -> new StoreWork(0)).hasMessageContaining("at least one key");
    }

    @Test
    void aCleanUpTakesThePlaceOfWaitingDeletesAndTheStrongerOneWins() {
        StoreWork w = new StoreWork(1000);
        w.add(deletes("a"));
        w.start();
        w.add(deletes("b"));
        w.add(cleanUp(CleanUp.INTERMEDIATES));
        w.add(deletes("c")); // after the clean-up was asked for: it lists and deletes them anyway
        w.add(cleanUp(CleanUp.INTERMEDIATES_AND_OUTPUTS));
        assertThat(w.waitingDeletes()).isZero();
        w.finished();
        StoreWork.Piece p = w.start();
        assertThat(p.deletes()).isEmpty();
        assertThat(p.cleanUp()).isEqualTo(CleanUp.INTERMEDIATES_AND_OUTPUTS);
        w.finished();
        assertThat(w.idle()).isTrue();
    }
}

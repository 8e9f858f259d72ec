package io.numpywren.task;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BlockBuffersTest {
    private static final int BIG = BlockBuffers.MIN_LENGTH;

    @Test
    void aGivenBackArrayServesTheNextRequestOfItsLengthOnce() {
        BlockBuffers buffers = new BlockBuffers();
        double[] a = new double[BIG];
        buffers.giveBack(List.of(a));
        assertThat(buffers.take(BIG + 1)).isNotSameAs(a).hasSize(BIG + 1);
        assertThat(buffers.take(BIG)).isSameAs(a);
        assertThat(buffers.take(BIG)).as("handed out once only").isNotSameAs(a);
    }

    @Test
    void anArrayNamedTwiceIsKeptOnceSoItIsNeverHandedToTwoBlocks() {
        BlockBuffers buffers = new BlockBuffers();
        double[] a = new double[BIG];
        buffers.giveBack(List.of(a, a));
        buffers.giveBack(List.of(a));
        assertThat(buffers.size()).isEqualTo(1);
        assertThat(buffers.take(BIG)).isSameAs(a);
        assertThat(buffers.take(BIG)).isNotSameAs(a);
    }

    @Test
    void smallArraysAreNotKeptAndTheKeptOnesAreBounded() {
        BlockBuffers buffers = new BlockBuffers();
        buffers.giveBack(List.of(new double[16]));
        assertThat(buffers.size()).isZero();
        for (int i = 0; i < BlockBuffers.MAX_KEPT + 3; i++) {
            buffers.giveBack(List.of(new double[BIG]));
        }
        assertThat(buffers.size()).isEqualTo(BlockBuffers.MAX_KEPT);
    }
}

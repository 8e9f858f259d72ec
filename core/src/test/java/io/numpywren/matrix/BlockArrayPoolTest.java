package io.numpywren.matrix;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockArrayPoolTest {
    private static final int BIG = BlockArrayPool.MIN_LENGTH;

    @Test
    void aGivenArrayServesTheNextRequestOfItsLengthOnce() {
        BlockArrayPool pool = new BlockArrayPool(64L << 20);
        double[] a = new double[BIG];
        pool.give(a);
        assertThat(pool.take(BIG + 1)).isNotSameAs(a).hasSize(BIG + 1);
        assertThat(pool.take(BIG)).isSameAs(a);
        assertThat(pool.take(BIG)).as("handed out once only").isNotSameAs(a);
        assertThat(pool.heldBytes()).isZero();
    }

    @Test
    void anArrayGivenTwiceIsKeptOnceSoItIsNeverHandedToTwoOwners() {
        BlockArrayPool pool = new BlockArrayPool(64L << 20);
        double[] a = new double[BIG];
        pool.give(a);
        pool.give(a);
        assertThat(pool.heldBytes()).isEqualTo(8L * BIG);
        assertThat(pool.take(BIG)).isSameAs(a);
        assertThat(pool.take(BIG)).isNotSameAs(a);
    }

    @Test
    void aZeroedArrayIsZeroEvenWhenRecycled() {
        BlockArrayPool pool = new BlockArrayPool(64L << 20);
        double[] a = new double[BIG];
        Arrays.fill(a, 3.5);
        pool.give(a);
        double[] z = pool.takeZeroed(BIG);
        assertThat(z).isSameAs(a);
        assertThat(Arrays.stream(z).allMatch(v -> v == 0.0)).isTrue();
    }

    @Test
    void smallArraysAreNotKeptAndTheHeldBytesAreBounded() {
        BlockArrayPool pool = new BlockArrayPool(3L * 8 * BIG);
        pool.give(new double[16]);
        assertThat(pool.heldBytes()).isZero();
        for (int i = 0; i < 5; i++) {
            pool.give(new double[BIG]);
        }
        assertThat(pool.heldBytes()).isEqualTo(3L * 8 * BIG).isEqualTo(pool.capacityBytes());
        assertThatThrownBy(() -> new BlockArrayPool(-1)).hasMessageContaining("capacityBytes");
    }
}

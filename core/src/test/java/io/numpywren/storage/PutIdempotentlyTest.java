package io.numpywren.storage;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockMatrix;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The driver's writes survive an object store's lost answers: when a client retries a conditional
 * write whose first attempt did land, the retry finds the object, and exactly these bytes there
 * count as written; other bytes are still refused.
 */
class PutIdempotentlyTest {
    /** Each put lands, then reports what a retried conditional write reports: the object exists. */
    private static final class LostAnswers extends ForwardingBlockStore {
        final AtomicInteger puts = new AtomicInteger();

        LostAnswers(BlockStore delegate) {
            super(delegate);
        }

        @Override
        public void put(String key, ByteBuffer bytes) {
            puts.incrementAndGet();
            delegate().put(key, bytes);
            throw new BlockExistsException(key, description());
        }
    }

    @Test
    void aMatrixWrittenThroughLostAnswersIsWrittenAndReadsBack() {
        LostAnswers store = new LostAnswers(new InMemoryBlockStore());
        BlockMatrix a = BlockMatrix.builder(store, "ns", "A").shape(4, 4).blockSize(2).create();
        Block block = Block.ofRows(new double[] {1, 2}, new double[] {3, 4});

        a.write(block, 1, 0);

        assertThat(a.read(1, 0)).isEqualTo(block);
        assertThat(BlockMatrix.open(store, "ns", "A").rows()).isEqualTo(4);
        assertThat(store.puts.get()).as("the header and the block, each once").isEqualTo(2);
    }

    @Test
    void otherBytesAlreadyThereAreStillRefusedAndStay() {
        InMemoryBlockStore store = new InMemoryBlockStore();
        store.put("k", ByteBuffer.wrap(new byte[] {1, 2, 3}));

        store.putIdempotently("k", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> store.putIdempotently("k", ByteBuffer.wrap(new byte[] {1, 2, 4})))
                .isInstanceOf(BlockExistsException.class).hasMessageContaining("'k' already exists");
        assertThat(store.get("k")).isEqualTo(ByteBuffer.wrap(new byte[] {1, 2, 3}));
    }
}

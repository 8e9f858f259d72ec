package io.numpywren.storage;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockArrayPool;
import io.numpywren.matrix.DType;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What only the in-memory store does. The {@link BlockStore} contract itself is checked by
 * {@code io.numpywren.tck.BlockStoreTck}, run against this store in the backend-local module.
 */
class InMemoryBlockStoreTest {

    private final InMemoryBlockStore store = new InMemoryBlockStore("test");

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void totalBytesCountsOnlyTheStoredRangeOfEachObject() {
        InMemoryBlockStore mem = store;
        ByteBuffer b = bytes("xxHELLOyy");
        b.position(2).limit(7);
        mem.put("a", b);
        mem.put("b", bytes("123"));

        assertThat(mem.totalBytes()).isEqualTo(8);

        mem.delete("a");
        assertThat(mem.totalBytes()).isEqualTo(3);
    }

    /** A block of a length no other test uses, so the shared pool's answer is this test's array or none. */
    private static Block poolSized(int extraColumns) {
        return Block.zeros(1024, BlockArrayPool.MIN_LENGTH / 1024 + 7 + extraColumns);
    }

    private static boolean recycled(Block block) {
        double[] next = BlockArrayPool.shared().take(block.data().length);
        return next == block.data();
    }

    @Test
    void aGivenBlockIsRecycledOnceDeletedAndReleasedByEveryReader() {
        Block given = poolSized(0);
        store.putGivenBlock("ns/G/0_0", given, DType.FLOAT64);
        FetchedBlock first = store.getBlock("ns/G/0_0", double[]::new);
        FetchedBlock second = store.getBlock("ns/G/0_0", double[]::new);
        store.delete("ns/G/0_0");
        first.release();
        first.release(); // counts once: the second reader still holds it
        assertThat(recycled(given)).as("recycled while a reader holds it").isFalse();
        second.release();
        assertThat(recycled(given)).isTrue();
    }

    @Test
    void aReplacedGivenBlockIsRecycledButAKeptUserBlockNeverIs() {
        Block given = poolSized(1);
        store.putGivenBlock("ns/G/0_1", given, DType.FLOAT64);
        store.replace("ns/G/0_1", BlockCodec.encode(counting(2, 2)));
        assertThat(recycled(given)).isTrue();

        Block users = poolSized(2);
        store.putBlock("ns/G/0_2", users, DType.FLOAT64);
        store.getBlock("ns/G/0_2", double[]::new).release();
        store.delete("ns/G/0_2");
        assertThat(recycled(users)).as("the caller of putBlock may still hold it").isFalse();

        // A reader that never releases keeps a given block out of the pool for good.
        Block unreleased = poolSized(3);
        store.putGivenBlock("ns/G/0_3", unreleased, DType.FLOAT64);
        store.getBlock("ns/G/0_3", double[]::new);
        store.get("ns/G/0_3");
        store.delete("ns/G/0_3");
        assertThat(recycled(unreleased)).isFalse();
    }

    @Test
    void theDescriptionNamesTheStore() {
        assertThat(store.description()).contains("in-memory").contains("test");
    }

    private static Block counting(int rows, int cols) {
        Block b = Block.zeros(rows, cols);
        for (int i = 0; i < b.data().length; i++) {
            b.data()[i] = Math.sin(i) * 1e3;
        }
        return b;
    }

    @Test
    void aFloat64BlockIsKeptDecodedAndHandedOutAsItIs() {
        Block block = counting(3, 5);
        StoredBlock stored = store.putBlock("ns/A/0_0", block, DType.FLOAT64);

        FetchedBlock fetched = store.getBlock("ns/A/0_0", double[]::new);
        assertThat(stored.kept()).isTrue();
        assertThat(fetched.shared()).isTrue();
        assertThat(fetched.block()).isSameAs(block);
        assertThat(fetched.dtype()).isEqualTo(DType.FLOAT64);
        assertThat(fetched.bytes()).isEqualTo(stored.bytes()).isEqualTo(BlockCodec.HEADER_BYTES + 15 * 8);
        assertThat(store.totalBytes()).isEqualTo(stored.bytes());
    }

    @Test
    void aKeptBlockIsKnownFiniteOnlyWhenItsValuesAreAndBytesNeverAre() {
        store.putBlock("ns/A/0_0", counting(3, 5), DType.FLOAT64);
        Block infinite = counting(3, 5);
        infinite.set(1, 4, Double.NEGATIVE_INFINITY);
        store.putBlock("ns/A/0_1", infinite, DType.FLOAT64);
        store.put("ns/A/0_2", BlockCodec.encode(counting(3, 5)));
        store.putBlock("ns/A/0_3", counting(3, 5), DType.FLOAT32);

        assertThat(store.getBlock("ns/A/0_0", double[]::new).finite()).isTrue();
        assertThat(store.getBlock("ns/A/0_1", double[]::new).finite()).isFalse();
        assertThat(store.getBlock("ns/A/0_2", double[]::new).finite()).isFalse();
        assertThat(store.getBlock("ns/A/0_3", double[]::new).finite()).isFalse();
        // The scan runs chunk by chunk beside the checksum: 9000 values span three chunks, the last partial.
        for (int at : new int[] {0, 4095, 4096, 8191, 8192, 8999}) {
            Block big = counting(90, 100);
            big.data()[at] = Double.NaN;
            store.putBlock("ns/C/" + at, big, DType.FLOAT64);
            assertThat(store.getBlock("ns/C/" + at, double[]::new).finite()).as("NaN at %d", at).isFalse();
        }
        store.putBlock("ns/C/all", counting(90, 100), DType.FLOAT64);
        assertThat(store.getBlock("ns/C/all", double[]::new).finite()).isTrue();
    }

    @Test
    void aKeptBlockReadAsBytesIsTheCodecsEncodingWithTheChecksumPutReported() {
        // 9000 values span three of the checksum's chunks, the last one partial.
        for (Block block : new Block[] {counting(90, 100), counting(1, 1), counting(0, 4)}) {
            String key = "ns/B/" + block.rows() + "_" + block.cols();
            StoredBlock stored = store.putBlock(key, block, DType.FLOAT64);
            ByteBuffer bytes = store.get(key);

            assertThat(bytes).isEqualTo(BlockCodec.encode(block));
            assertThat(bytes.isReadOnly()).isTrue();
            assertThat(stored.checksum()).isEqualTo(BlockCodec.header(key, bytes).checksum());
            assertThat(BlockCodec.decode(key, bytes)).isEqualTo(block);
        }
    }

    @Test
    void aFloat32BlockIsStoredEncodedSoItsValuesAreRoundedAndReadersGetTheirOwnCopy() {
        Block block = counting(4, 4);
        StoredBlock stored = store.putBlock("ns/F/0_0", block, DType.FLOAT32);
        FetchedBlock fetched = store.getBlock("ns/F/0_0", double[]::new);

        assertThat(stored.kept()).isFalse();
        assertThat(fetched.shared()).isFalse();
        assertThat(fetched.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(fetched.block().get(1, 2)).isEqualTo((double) (float) block.get(1, 2));
        assertThat(fetched.bytes()).isEqualTo(BlockCodec.HEADER_BYTES + 16 * 4);
    }

    @Test
    void bytesPutDirectlyAreDecodedIntoTheCallersArray() {
        Block block = counting(2, 3);
        store.put("ns/C/0_0", BlockCodec.encode(block));
        double[] mine = new double[6];

        FetchedBlock fetched = store.getBlock("ns/C/0_0", n -> mine);

        assertThat(fetched.shared()).isFalse();
        assertThat(fetched.block().data()).isSameAs(mine);
        assertThat(fetched.block()).isEqualTo(block);
    }

    @Test
    void keptBlocksAreListedReplacedAndDeletedLikeAnyObject() {
        store.putBlock("ns/D/0_0", counting(2, 2), DType.FLOAT64);
        store.put("ns/D/0_1", BlockCodec.encode(counting(2, 2)));
        assertThat(store.list("ns/D/")).containsExactly("ns/D/0_0", "ns/D/0_1");

        store.replace("ns/D/0_0", bytes("raw"));
        assertThat(store.getBlock("ns/D/0_1", double[]::new).shared()).isFalse();
        assertThat(store.get("ns/D/0_0")).isEqualTo(bytes("raw"));
        assertThat(store.delete("ns/D/0_0")).isTrue();
        assertThat(store.exists("ns/D/0_0")).isFalse();
    }
}

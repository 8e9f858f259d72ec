package io.numpywren.storage;

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

    @Test
    void theDescriptionNamesTheStore() {
        assertThat(store.description()).contains("in-memory").contains("test");
    }
}

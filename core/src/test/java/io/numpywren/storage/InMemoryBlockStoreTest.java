package io.numpywren.storage;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class InMemoryBlockStoreTest extends BlockStoreContractTest {

    @Override
    protected BlockStore newStore() {
        return new InMemoryBlockStore("test");
    }

    @Test
    void totalBytesCountsOnlyTheStoredRangeOfEachObject() {
        InMemoryBlockStore mem = (InMemoryBlockStore) store;
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

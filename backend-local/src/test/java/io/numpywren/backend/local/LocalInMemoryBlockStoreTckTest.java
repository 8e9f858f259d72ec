package io.numpywren.backend.local;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.tck.BlockStoreTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The block store contract for the in-memory store the local backend shares with its workers. */
class LocalInMemoryBlockStoreTckTest extends BlockStoreTck {

    @Override
    protected BlockStore newStore() {
        return new InMemoryBlockStore("tck");
    }

    /** The heap holds 64 MiB objects: the kit's large-block test must run here, not be skipped. */
    @Test
    void largeBlocksAreDeclared() throws Exception {
        assertThat(capabilities()).contains(TckCapability.LARGE_BLOCKS);
    }
}

package io.numpywren.backend.local;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.tck.BlockStoreTck;

/** The block store contract for the in-memory store the local backend shares with its workers. */
class LocalInMemoryBlockStoreTckTest extends BlockStoreTck {

    @Override
    protected BlockStore newStore() {
        return new InMemoryBlockStore("tck");
    }
}

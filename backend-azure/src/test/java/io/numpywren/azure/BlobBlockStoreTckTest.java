package io.numpywren.azure;

import io.numpywren.storage.BlockStore;
import io.numpywren.tck.BlockStoreTck;
import org.junit.jupiter.api.BeforeAll;

import java.util.UUID;

/**
 * The BlockStore suite on {@link BlobBlockStore} through Azure's client against Azurite: a fresh
 * container per test, with no prefix, so that the suite's longest key (1024 characters) is also
 * Blob Storage's longest blob name; blocks above 1 MiB go up as staged blocks of 1 MiB.
 */
class BlobBlockStoreTckTest extends BlockStoreTck {
    static Azurite azurite;

    @BeforeAll
    static void startStandIn() throws Exception {
        azurite = Azurite.shared();
    }

    @Override
    protected BlockStore newStore() {
        return azurite.newContainer("tck-" + UUID.randomUUID().toString().substring(0, 8))
                .singleUploadBytes(1 << 20).build();
    }
}

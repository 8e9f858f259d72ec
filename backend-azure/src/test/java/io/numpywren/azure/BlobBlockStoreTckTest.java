package io.numpywren.azure;

import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.numpywren.storage.BlockStore;
import io.numpywren.tck.BlockStoreTck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BlockStore suite on {@link BlobBlockStore} through Azure's client against Azurite: a fresh
 * container per test, with no prefix, so that the suite's longest key (1024 characters) is also
 * Blob Storage's longest blob name; blocks above 1 MiB go up as staged blocks of 1 MiB.
 */
class BlobBlockStoreTckTest extends BlockStoreTck {
    static Azurite azurite;
    private final List<BlobBlockStore> stores = new ArrayList<>();

    @BeforeAll
    static void startStandIn() throws Exception {
        azurite = Azurite.shared();
    }

    /**
     * Every staged upload the store began was committed, or belongs to a blob that exists: a
     * refused or failed put leaves no blob that only has uncommitted blocks.
     */
    @AfterEach
    void noBlobIsLeftWithOnlyUncommittedBlocks() {
        for (BlobBlockStore store : stores) {
            Set<String> committed = new TreeSet<>();
            Set<String> withUncommitted = new TreeSet<>();
            store.containerClient().listBlobs().forEach(b -> committed.add(b.getName()));
            ListBlobsOptions all = new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveUncommittedBlobs(true));
            for (BlobItem b : store.containerClient().listBlobs(all, null)) {
                withUncommitted.add(b.getName());
            }
            assertThat(withUncommitted).as("blobs in " + store.description() + ", uncommitted ones included")
                    .isEqualTo(committed);
        }
        stores.clear();
    }

    @Override
    protected BlockStore newStore() {
        BlobBlockStore store = azurite.newContainer("tck-" + UUID.randomUUID().toString().substring(0, 8))
                .singleUploadBytes(1 << 20).build();
        stores.add(store);
        return store;
    }
}

package io.numpywren.gcp;

import io.numpywren.storage.BlockStore;
import io.numpywren.tck.BlockStoreTck;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BlockStore suite on {@link GcsBlockStore} through Google's client against {@link FakeGcs}:
 * a fresh bucket per test, with no prefix, so that the suite's longest key (1024 characters) is
 * also Cloud Storage's longest object name; blocks above 1 MiB go up resumably in 256 KiB chunks.
 */
class GcsBlockStoreTckTest extends BlockStoreTck {
    static FakeGcs gcs;

    @BeforeAll
    static void startStandIn() throws IOException {
        gcs = new FakeGcs();
    }

    @AfterAll
    static void stopStandIn() {
        gcs.close();
    }

    /** Every resumable upload the store began, it finished: none is left open on the service. */
    @AfterEach
    void noUploadSessionIsLeftOpen() {
        assertThat(gcs.openUploads()).as("open resumable upload sessions").isZero();
    }

    @Override
    protected BlockStore newStore() {
        return GcsBlockStore.builder().bucket("tck-" + UUID.randomUUID().toString().substring(0, 8)).host(gcs.host())
                .noCredentials().projectId("numpywren-test").resumable(1 << 20, 256 * 1024).build();
    }
}

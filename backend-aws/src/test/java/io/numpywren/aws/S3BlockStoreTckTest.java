package io.numpywren.aws;

import io.numpywren.storage.BlockStore;
import io.numpywren.tck.BlockStoreTck;
import io.numpywren.tck.TckCapability;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BlockStore suite on S3Mock: a fresh bucket per test, with no key prefix, so that the
 * suite's longest key (1024 characters) is also S3's longest object key. {@link S3BlockStoreTest}
 * covers stores with a prefix.
 */
class S3BlockStoreTckTest extends BlockStoreTck {
    @Override
    protected BlockStore newStore() {
        S3Mock s3 = S3Mock.get();
        return s3.storeBuilder(s3.newBucket()).build();
    }

    /**
     * S3Mock honours If-None-Match, but checks it and then writes in two steps, so of racing puts
     * several may succeed (seen: four of six). S3 itself decides them atomically ("Conditional
     * writes", S3 user guide); {@link S3BlockStoreTest} checks that every put sends the condition.
     */
    @Override
    protected Set<TckCapability> capabilities() {
        return EnumSet.of(TckCapability.LARGE_BLOCKS);
    }

    @Test
    void aStoredBlockIsOneS3ObjectUnderItsKey() {
        S3Mock s3 = S3Mock.get();
        String bucket = s3.newBucket();
        try (S3BlockStore store = s3.storeBuilder(bucket).build()) {
            store.put("jobs/j/L/1_0", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        }
        var head = s3.admin().headObject(h -> h.bucket(bucket).key("jobs/j/L/1_0")).join();
        assertThat(head.contentLength()).isEqualTo(3L);
        assertThat(s3.admin().listObjectsV2(l -> l.bucket(bucket)).join().keyCount()).isEqualTo(1);
    }
}

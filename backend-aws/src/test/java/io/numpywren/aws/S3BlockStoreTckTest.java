package io.numpywren.aws;

import io.numpywren.storage.BlockStore;
import io.numpywren.tck.BlockStoreTck;

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
}

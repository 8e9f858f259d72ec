package io.numpywren.aws;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import io.numpywren.tck.DriverCrashTck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;

/**
 * The crash kit on the S3 stand-in (S3Mock in this JVM, which outlives the driver JVMs): a driver
 * killed with SIGKILL five times and resumed each time, its blocks in a bucket of its own.
 */
class S3DriverCrashTest extends DriverCrashTck {
    private final String bucket = S3Mock.get().newBucket();
    private Runnable restoreCredentials;

    @BeforeEach
    void dummyCredentialsThroughTheDefaultChain() {
        restoreCredentials = S3Mock.useDummyCredentials();
    }

    @AfterEach
    void restoreCredentials() {
        restoreCredentials.run();
    }

    /** S3Mock answers a few hundred requests a second: 816 tasks. */
    @Override
    protected int blocksPerSide() {
        return 16;
    }

    private String storeUrl() {
        return "s3://" + bucket + "/crash";
    }

    @Override
    protected Map<String, String> driverSettings() {
        // The driver's credentials come from the SDK's default chain too: its first link reads these properties.
        return Map.of("numpywren.store", storeUrl(),
                "numpywren.backends.aws.region", S3Mock.REGION,
                "numpywren.backends.aws.endpoint", S3Mock.get().endpoint().toString(),
                "numpywren.backends.aws.bucket", "unused",
                "aws.accessKeyId", S3Mock.ACCESS_KEY,
                "aws.secretAccessKey", S3Mock.SECRET_KEY);
    }

    @Override
    protected BlockStore openStore() {
        return BlockStores.open(storeUrl(), S3Mock::awsSection);
    }

    /** The store the kit checks is the one the driver JVMs write: the crash test's bucket and prefix. */
    @org.junit.jupiter.api.Test
    void theCheckedStoreIsTheDriversBucketAndPrefix() throws Exception {
        try (BlockStore store = openStore()) {
            store.put("probe", java.nio.ByteBuffer.wrap(new byte[] {7}));
            org.assertj.core.api.Assertions.assertThat(S3Mock.get().admin().headObject(h -> h.bucket(bucket).key("crash/probe"))
                    .join().contentLength()).isEqualTo(1L);
            org.assertj.core.api.Assertions.assertThat(driverSettings()).containsEntry("numpywren.store", "s3://" + bucket + "/crash");
        }
    }
}

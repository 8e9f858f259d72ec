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
    private String savedKey;
    private String savedSecret;

    @BeforeEach
    void dummyCredentialsThroughTheDefaultChain() {
        savedKey = System.getProperty("aws.accessKeyId");
        savedSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", S3Mock.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3Mock.SECRET_KEY);
    }

    @AfterEach
    void restoreCredentials() {
        restore("aws.accessKeyId", savedKey);
        restore("aws.secretAccessKey", savedSecret);
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    private static Map<String, String> awsSection(String section) {
        return section.equals("backends.aws")
                ? Map.of("region", S3Mock.REGION, "endpoint", S3Mock.get().endpoint().toString(), "bucket", "unused")
                : Map.of();
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
        return BlockStores.open(storeUrl(), S3DriverCrashTest::awsSection);
    }
}

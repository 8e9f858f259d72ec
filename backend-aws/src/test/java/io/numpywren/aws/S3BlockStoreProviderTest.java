package io.numpywren.aws;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code numpywren.store = "s3://..."}: the facade's store lookup finds this module's provider. */
class S3BlockStoreProviderTest {
    private Runnable restoreCredentials;

    @BeforeEach
    void dummyCredentialsThroughTheDefaultChain() {
        restoreCredentials = S3Mock.useDummyCredentials(); // the provider uses the SDK's default chain
    }

    @AfterEach
    void restoreCredentials() {
        restoreCredentials.run();
    }

    private static Map<String, String> awsSection(String section) {
        return S3Mock.awsSection(section);
    }

    @Test
    void anS3LocationOpensTheBucketAndPrefixItNames() {
        String bucket = S3Mock.get().newBucket();
        try (BlockStore store = BlockStores.open("s3://" + bucket + "/team/jobs/", S3BlockStoreProviderTest::awsSection)) {
            store.put("m/0_0", ByteBuffer.wrap(new byte[] {4, 2}));
            assertThat(store.description()).contains(bucket).contains("team/jobs");
            ByteBuffer back = store.get("m/0_0");
            assertThat(back.remaining()).isEqualTo(2);
            assertThat(back.get(0)).isEqualTo((byte) 4);
        }
        // The object sits below the prefix the location gave.
        assertThat(S3Mock.get().admin().headObject(h -> h.bucket(bucket).key("team/jobs/m/0_0")).join().contentLength())
                .isEqualTo(2L);
    }

    @Test
    void malformedS3LocationsSayWhatIsWrong() {
        assertThatThrownBy(() -> BlockStores.open("s3://", S3BlockStoreProviderTest::awsSection))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no bucket");
        assertThatThrownBy(() -> BlockStores.open("s3:bucket", S3BlockStoreProviderTest::awsSection))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("s3://bucket/prefix or s3");
        // numpywren.stores.s3 overrides the backend's settings, and is validated the same way.
        assertThatThrownBy(() -> BlockStores.open("s3://b/p", section -> section.equals("stores.s3")
                ? Map.of("path-style", "maybe") : awsSection(section)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path-style must be true or false");
    }
}

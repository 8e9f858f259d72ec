package io.numpywren.aws;

import com.adobe.testing.s3mock.S3MockApplication;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One in-process S3Mock for the whole test JVM (it is a Spring Boot application: starting it
 * per test class would cost seconds each time), on a random loopback port, with its files in a
 * temporary directory that it removes on exit.
 */
final class S3Mock {
    static final String REGION = "us-east-1";
    static final String ACCESS_KEY = "numpywren-test";
    static final String SECRET_KEY = "numpywren-test-secret";
    /** The bucket the backend suites share; each test works below a namespace of its own. */
    static final String SHARED_BUCKET = "numpywren-tck";

    private static S3Mock instance;

    private final S3MockApplication app;
    private final URI endpoint;
    private final S3AsyncClient admin;

    private S3Mock() {
        Path root;
        try {
            root = Files.createTempDirectory("numpywren-s3mock");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // S3Mock writes into the map it is given, so it must be mutable.
        Map<String, Object> props = new HashMap<>();
        props.put(S3MockApplication.PROP_HTTP_PORT, S3MockApplication.RANDOM_PORT);
        props.put(S3MockApplication.PROP_HTTPS_PORT, S3MockApplication.RANDOM_PORT);
        props.put(S3MockApplication.PROP_SILENT, true);
        props.put("com.adobe.testing.s3mock.store.root", root.toString());
        props.put("com.adobe.testing.s3mock.store.retain-files-on-exit", false);
        props.put("com.adobe.testing.s3mock.store.initial-buckets", SHARED_BUCKET);
        props.put("com.adobe.testing.s3mock.store.region", REGION);
        props.put("server.address", "127.0.0.1");
        // S3Mock replaces an object's files non-atomically, so a read racing an overwrite may get a
        // 500 (which the store retries); its servlet container logs each one at ERROR.
        props.put("logging.level.org.apache.catalina", "OFF");
        app = S3MockApplication.start(props);
        endpoint = URI.create("http://127.0.0.1:" + app.getHttpPort());
        admin = storeBuilder(SHARED_BUCKET).newClient();
        Runtime.getRuntime().addShutdownHook(new Thread(app::stop, "s3mock-stop"));
    }

    static synchronized S3Mock get() {
        if (instance == null) {
            instance = new S3Mock();
        }
        return instance;
    }

    URI endpoint() {
        return endpoint;
    }

    static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /**
     * A store builder pointed at this S3Mock, with dummy credentials, path-style addressing, and
     * retries quicker than against AWS (a stand-in on loopback recovers at once). A read racing an
     * overwrite in S3Mock sometimes stalls after the headers, so stalled reads time out early.
     */
    S3BlockStore.Builder storeBuilder(String bucket) {
        return S3BlockStore.builder().bucket(bucket).region(REGION).endpoint(endpoint).pathStyle(true)
                .credentials(credentials())
                .retries(10, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(200))
                .readTimeout(Duration.ofSeconds(3));
    }

    /**
     * Sets this stand-in's dummy credentials in the system properties that the SDK's default chain
     * reads first; the returned action puts back what was there.
     */
    static Runnable useDummyCredentials() {
        String savedKey = System.getProperty("aws.accessKeyId");
        String savedSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        return () -> {
            restore("aws.accessKeyId", savedKey);
            restore("aws.secretAccessKey", savedSecret);
        };
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    /** The settings sections an {@code s3://} store opens with, pointing at this stand-in. */
    static Map<String, String> awsSection(String section) {
        return section.equals("backends.aws")
                ? Map.of("region", REGION, "endpoint", get().endpoint().toString(), "bucket", "unused")
                : Map.of();
    }

    /** A new, empty bucket. */
    String newBucket() {
        String bucket = "b-" + UUID.randomUUID().toString().substring(0, 13);
        admin.createBucket(b -> b.bucket(bucket)).join();
        return bucket;
    }

    S3AsyncClient admin() {
        return admin;
    }
}

package io.numpywren.aws;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStoreProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code numpywren.store = "s3://bucket/prefix"} (or just {@code s3}, taking bucket and prefix
 * from the settings). Settings come from {@code numpywren.backends.aws} (region, endpoint,
 * path-style, bucket, prefix), overridden by {@code numpywren.stores.s3}, so a job on the aws
 * backend configures its bucket once. Credentials come from the SDK's default provider chain.
 */
public final class S3BlockStoreProvider implements BlockStoreProvider {
    @Override
    public String scheme() {
        return "s3";
    }

    @Override
    public BlockStore open(String location, Function<String, Map<String, String>> sections) {
        Map<String, String> settings = new HashMap<>(sections.apply("backends.aws"));
        settings.putAll(sections.apply("stores.s3"));
        if (!location.equals("s3")) {
            if (!location.startsWith("s3://")) {
                throw new IllegalArgumentException("an S3 store is s3://bucket/prefix or s3, got '" + location + "'");
            }
            String path = location.substring("s3://".length());
            int slash = path.indexOf('/');
            String bucket = slash < 0 ? path : path.substring(0, slash);
            String prefix = slash < 0 ? "" : path.substring(slash + 1).replaceAll("/+$", "");
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException("the S3 store '" + location + "' names no bucket (s3://bucket/prefix)");
            }
            settings.put("bucket", bucket);
            settings.put("prefix", prefix);
        }
        return AwsSettings.from(settings).store().build();
    }
}

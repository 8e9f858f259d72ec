package io.numpywren.gcp;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStoreProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code numpywren.store = "gs://bucket/prefix"}. Settings from {@code numpywren.stores.gs}:
 * {@code project} (else Application Default Credentials' project), {@code host} (an endpoint
 * other than Google's, such as a stand-in, which is then reached without credentials).
 * Credentials come from Application Default Credentials.
 */
public final class GcsBlockStoreProvider implements BlockStoreProvider {
    @Override
    public String scheme() {
        return "gs";
    }

    @Override
    public BlockStore open(String location, Function<String, Map<String, String>> sections) {
        Map<String, String> settings = new HashMap<>(sections.apply("stores.gs"));
        if (!location.startsWith("gs://")) {
            throw new IllegalArgumentException("a Cloud Storage store is gs://bucket/prefix, got '" + location + "'");
        }
        String path = location.substring("gs://".length());
        int slash = path.indexOf('/');
        String bucket = slash < 0 ? path : path.substring(0, slash);
        if (bucket.isEmpty()) {
            throw new IllegalArgumentException("the Cloud Storage store '" + location + "' names no bucket (gs://bucket/prefix)");
        }
        GcsBlockStore.Builder b = GcsBlockStore.builder().bucket(bucket).prefix(slash < 0 ? "" : path.substring(slash + 1));
        String project = settings.getOrDefault("project", "").trim();
        if (!project.isEmpty()) {
            b.projectId(project);
        }
        String host = settings.getOrDefault("host", "").trim();
        if (!host.isEmpty()) {
            b.host(host).noCredentials();
        }
        return b.build();
    }
}

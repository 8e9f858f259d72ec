package io.numpywren.gcp;

import io.numpywren.storage.BlockStore;
import io.numpywren.storage.BlockStoreProvider;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code numpywren.store = "gs://bucket/prefix"}, or {@code "gs"} for the gcp backend's bucket and
 * prefix. Settings from {@code numpywren.stores.gs}, else the gcp backend's: {@code project} (else
 * Application Default Credentials' project), {@code host} ({@code storage-host} for the backend:
 * an endpoint other than Google's, such as a stand-in, which is then reached without credentials).
 * Credentials come from Application Default Credentials.
 */
public final class GcsBlockStoreProvider implements BlockStoreProvider {
    @Override
    public String scheme() {
        return "gs";
    }

    @Override
    public BlockStore open(String location, Function<String, Map<String, String>> sections) {
        // The gcp backend's project and stand-in apply to its store too, unless stores.gs says otherwise.
        Map<String, String> backend = sections.apply("backends.gcp");
        Map<String, String> settings = new HashMap<>();
        settings.put("project", backend.getOrDefault("project", ""));
        settings.put("host", backend.getOrDefault("storage-host", ""));
        sections.apply("stores.gs").forEach((k, v) -> {
            if (!v.isBlank()) {
                settings.put(k, v);
            }
        });
        String bucket;
        String prefix;
        if (location.equals("gs")) {
            bucket = backend.getOrDefault("bucket", "").trim();
            prefix = backend.getOrDefault("prefix", "").trim();
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException("the store 'gs' is the gcp backend's bucket, but "
                        + "numpywren.backends.gcp.bucket is not set: set it, or give gs://bucket/prefix");
            }
        } else if (location.startsWith("gs://")) {
            String path = location.substring("gs://".length());
            int slash = path.indexOf('/');
            bucket = slash < 0 ? path : path.substring(0, slash);
            prefix = slash < 0 ? "" : path.substring(slash + 1);
            if (bucket.isEmpty()) {
                throw new IllegalArgumentException("the Cloud Storage store '" + location + "' names no bucket (gs://bucket/prefix)");
            }
        } else {
            throw new IllegalArgumentException("a Cloud Storage store is gs://bucket/prefix or gs, got '" + location + "'");
        }
        GcsBlockStore.Builder b = GcsBlockStore.builder().bucket(bucket).prefix(prefix.replaceAll("/+$", ""));
        String project = settings.get("project").trim();
        if (!project.isEmpty()) {
            b.projectId(project);
        }
        String host = settings.get("host").trim();
        if (!host.isEmpty()) {
            b.host(host).noCredentials();
        }
        return b.build();
    }
}

package io.numpywren.gcp;

import io.numpywren.task.TaskSigner;
import io.numpywren.testing.StandIns;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Google Cloud without an account: Cloud Storage ({@link FakeGcs}), Secret Manager and Cloud
 * Functions' API ({@link FakeGoogleApis}) holding a deployment's key and function, and the worker
 * function itself under the Functions Framework's invoker in a JVM of its own, reading that key
 * from its environment as Cloud Functions gives it. {@link #settings()} points numpywren's gcp
 * backend at them; {@code backend-gcp/stand-ins} runs {@link #main} for the command line.
 */
public final class GcpStandIns implements AutoCloseable {
    public static final String PROJECT = "numpywren-stand-in";
    public static final String BUCKET = "numpywren-stand-in";
    public static final String PREFIX = "blocks";

    public final FakeGcs gcs;
    public final FakeGoogleApis apis;
    public final FunctionInstance function;
    private final String key;

    private GcpStandIns(FakeGcs gcs, FakeGoogleApis apis, FunctionInstance function, String key) {
        this.gcs = gcs;
        this.apis = apis;
        this.function = function;
        this.key = key;
    }

    public static GcpStandIns start() throws IOException, InterruptedException {
        FakeGcs gcs = new FakeGcs();
        FakeGoogleApis apis = new FakeGoogleApis();
        String key = TaskSigner.newKey();
        GcpSettings settings = GcpSettings.from(new LinkedHashMap<>(Map.of("project", PROJECT, "bucket", BUCKET)));
        apis.putSecret(settings.secretResource(), key);
        FunctionInstance function = FunctionInstance.start(Map.of(WorkerSettings.BUCKET, BUCKET,
                WorkerSettings.PREFIX, PREFIX, WorkerSettings.STORAGE_HOST, gcs.host(), WorkerSettings.TASK_KEY, key,
                WorkerSettings.ROOT, "numpywren"));
        apis.putFunction(settings.functionResource(), function.url().toString());
        return new GcpStandIns(gcs, apis, function, key);
    }

    /** The configuration that makes numpywren run on these stand-ins (flattened keys). */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("numpywren.backend", "gcp");
        s.put("numpywren.store", "gs://" + BUCKET + "/" + PREFIX);
        s.put("numpywren.backends.gcp.project", PROJECT);
        s.put("numpywren.backends.gcp.bucket", BUCKET);
        s.put("numpywren.backends.gcp.prefix", PREFIX);
        s.put("numpywren.backends.gcp.concurrency", "2");
        s.put("numpywren.backends.gcp.storage-host", gcs.host());
        s.put("numpywren.backends.gcp.functions-endpoint", apis.endpoint().toString());
        s.put("numpywren.backends.gcp.secrets-endpoint", apis.endpoint().toString());
        s.put("numpywren.backends.gcp.iam-endpoint", apis.endpoint().toString());
        return s;
    }

    /** The key the deployment's secret holds: tests check it never shows. */
    public String key() {
        return key;
    }

    @Override
    public void close() throws IOException {
        function.close();
        apis.close();
        gcs.close();
    }

    /** Starts the stand-ins, writes their settings to the file given (HOCON), and runs until interrupted. */
    public static void main(String[] args) throws Exception {
        Path conf = Path.of(args.length > 0 ? args[0] : "stand-ins.conf").toAbsolutePath();
        GcpStandIns standIns = start();
        StandIns.serve("numpywren on the Google Cloud stand-ins (backend-gcp/stand-ins)",
                standIns, standIns.settings(), conf, List.of(
                "Cloud Storage stand-in:  " + standIns.gcs.host() + " (bucket " + BUCKET + ")",
                "Secret Manager and Cloud Functions' API: " + standIns.apis.endpoint(),
                "worker function (invoker): " + standIns.function.url(),
                "  ./numpywren run cholesky --n 1024 --block 256 --backend gcp --store gs://" + BUCKET + "/" + PREFIX
                + " --config " + conf));
    }
}

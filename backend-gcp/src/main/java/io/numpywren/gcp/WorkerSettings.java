package io.numpywren.gcp;

import io.numpywren.task.TaskSigner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The worker function's configuration, from its environment variables (Cloud Functions sets
 * {@code K_SERVICE} and {@code K_REVISION} itself).
 *
 * @param bucket         the bucket the blocks live in ({@value #BUCKET}, required)
 * @param prefix         the key prefix below which they live ({@value #PREFIX}, optional)
 * @param host           a Cloud Storage endpoint other than Google's, reached without credentials
 *                       ({@value #STORAGE_HOST}, optional: a stand-in)
 * @param allowedRoot    a namespace every task must lie in ({@value #ROOT}, optional)
 * @param kernelProvider auto, openblas or netlib ({@value #KERNEL_PROVIDER}, default auto)
 * @param taskKey        the key every task must be signed with ({@value #TASK_KEY}, required): the
 *                       deployment's Secret Manager secret, which Cloud Functions exposes as this
 *                       variable; never logged
 * @param workerName     how results name this worker: the function and its revision
 */
public record WorkerSettings(String bucket, String prefix, String host, String allowedRoot, String kernelProvider,
                             String taskKey, String workerName) {
    public static final String BUCKET = "NUMPYWREN_BUCKET";
    public static final String PREFIX = "NUMPYWREN_PREFIX";
    public static final String STORAGE_HOST = "NUMPYWREN_STORAGE_HOST";
    public static final String ROOT = "NUMPYWREN_ROOT";
    public static final String KERNEL_PROVIDER = "NUMPYWREN_KERNEL_PROVIDER";
    public static final String TASK_KEY = "NUMPYWREN_TASK_KEY";

    /** Reads the variables; anything missing is an IllegalArgumentException naming every variable at fault. */
    public static WorkerSettings from(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String bucket = env.getOrDefault(BUCKET, "").trim();
        if (bucket.isEmpty()) {
            problems.add(BUCKET + " is not set (the bucket the blocks live in)");
        }
        String key = env.getOrDefault(TASK_KEY, "").trim();
        if (key.isEmpty()) {
            problems.add(TASK_KEY + " is not set (the key tasks are signed with: expose the deployment's secret as "
                    + "this variable)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the numpywren worker is misconfigured: " + String.join("; ", problems));
        }
        return new WorkerSettings(bucket, env.getOrDefault(PREFIX, "").trim(), env.getOrDefault(STORAGE_HOST, "").trim(),
                env.getOrDefault(ROOT, "").trim(), env.getOrDefault(KERNEL_PROVIDER, "auto").trim(), key,
                "gcf:" + env.getOrDefault("K_SERVICE", "numpywren-worker") + "/" + env.getOrDefault("K_REVISION", "local"));
    }

    /** The store this worker reads and writes, with Application Default Credentials (none for a stand-in). */
    public GcsBlockStore.Builder store() {
        GcsBlockStore.Builder b = GcsBlockStore.builder().bucket(bucket).prefix(prefix);
        if (!host.isEmpty()) {
            b.host(host).noCredentials().projectId("numpywren-stand-in");
        }
        return b;
    }

    /** The key this worker checks every task against. */
    public TaskSigner signer() {
        return TaskSigner.fromBase64(taskKey, "the environment variable " + TASK_KEY);
    }

    /** Never shows the key. */
    @Override
    public String toString() {
        return "WorkerSettings[bucket=" + bucket + ", prefix=" + prefix + ", host=" + host + ", root=" + allowedRoot
                + ", kernelProvider=" + kernelProvider + ", worker=" + workerName + "]";
    }
}

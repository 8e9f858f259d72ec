package io.numpywren.aws;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The worker function's configuration, from its environment variables (set by
 * {@code numpywren aws deploy}; Lambda itself sets {@code AWS_REGION} and the credentials).
 *
 * @param bucket         the bucket the blocks live in ({@value #BUCKET}, required)
 * @param prefix         the key prefix below which the blocks live ({@value #PREFIX}, optional)
 * @param region         the bucket's region ({@value #REGION}, set by Lambda)
 * @param endpoint       an S3 endpoint other than AWS's ({@value #S3_ENDPOINT}, optional)
 * @param pathStyle      path-style addressing ({@value #S3_PATH_STYLE}; default: on with an endpoint)
 * @param allowedRoot    a namespace every task must lie in ({@value #ROOT}, optional)
 * @param kernelProvider auto, openblas or netlib ({@value #KERNEL_PROVIDER}, default auto)
 * @param readTimeout    how long an S3 response may stall before it is retried ({@value #S3_READ_TIMEOUT_MS}, default 30 s)
 * @param workerName     how results name this worker: the function and its log stream (one per instance)
 * @param taskKeySecret  the Secrets Manager secret with the key tasks must be signed with ({@value #TASK_KEY_SECRET}, required)
 * @param secretsEndpoint a Secrets Manager endpoint other than AWS's ({@value #SECRETS_ENDPOINT}, optional)
 */
public record WorkerEnvironment(String bucket, String prefix, String region, URI endpoint, boolean pathStyle,
                                String allowedRoot, String kernelProvider, Duration readTimeout,
                                String workerName, String taskKeySecret, URI secretsEndpoint) {
    public static final String BUCKET = "NUMPYWREN_BUCKET";
    public static final String PREFIX = "NUMPYWREN_PREFIX";
    public static final String REGION = "AWS_REGION";
    public static final String S3_ENDPOINT = "NUMPYWREN_S3_ENDPOINT";
    public static final String S3_PATH_STYLE = "NUMPYWREN_S3_PATH_STYLE";
    public static final String ROOT = "NUMPYWREN_ROOT";
    public static final String KERNEL_PROVIDER = "NUMPYWREN_KERNEL_PROVIDER";
    public static final String S3_READ_TIMEOUT_MS = "NUMPYWREN_S3_READ_TIMEOUT_MS";
    public static final String TASK_KEY_SECRET = "NUMPYWREN_TASK_KEY_SECRET";
    public static final String SECRETS_ENDPOINT = "NUMPYWREN_SECRETS_ENDPOINT";

    /** Reads the variables; anything missing or malformed is an IllegalArgumentException naming every variable at fault. */
    public static WorkerEnvironment from(Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        String bucket = env.get(BUCKET);
        if (bucket == null || bucket.isBlank()) {
            problems.add(BUCKET + " is not set (the bucket the blocks live in)");
        }
        String region = env.get(REGION);
        if (region == null || region.isBlank()) {
            problems.add(REGION + " is not set");
        }
        String secret = env.get(TASK_KEY_SECRET);
        if (secret == null || secret.isBlank()) {
            problems.add(TASK_KEY_SECRET + " is not set (the secret with the key tasks are signed with; "
                    + "numpywren aws deploy creates it and sets this)");
        }
        URI endpoint = url(env, S3_ENDPOINT, problems);
        URI secretsEndpoint = url(env, SECRETS_ENDPOINT, problems);
        boolean pathStyle = endpoint != null;
        String ps = env.get(S3_PATH_STYLE);
        if (ps != null && !ps.isBlank()) {
            switch (ps.trim()) {
                case "true" -> pathStyle = true;
                case "false" -> pathStyle = false;
                default -> problems.add(S3_PATH_STYLE + " must be true or false, got '" + ps + "'");
            }
        }
        Duration readTimeout = Duration.ofSeconds(30);
        String rt = env.get(S3_READ_TIMEOUT_MS);
        if (rt != null && !rt.isBlank()) {
            try {
                readTimeout = Duration.ofMillis(Long.parseLong(rt.trim()));
            } catch (NumberFormatException ex) {
                problems.add(S3_READ_TIMEOUT_MS + " must be a number of milliseconds, got '" + rt + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("the numpywren worker is misconfigured: " + String.join("; ", problems));
        }
        String function = env.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "numpywren-worker");
        String stream = env.getOrDefault("AWS_LAMBDA_LOG_STREAM_NAME", "local");
        return new WorkerEnvironment(bucket.trim(), env.getOrDefault(PREFIX, "").trim(), region.trim(), endpoint,
                pathStyle, env.getOrDefault(ROOT, "").trim(), env.getOrDefault(KERNEL_PROVIDER, "auto").trim(), readTimeout,
                "lambda:" + function + "/" + stream, secret.trim(), secretsEndpoint);
    }

    private static URI url(Map<String, String> env, String name, List<String> problems) {
        String e = env.get(name);
        if (e == null || e.isBlank()) {
            return null;
        }
        try {
            URI u = URI.create(e.trim());
            if (u.getScheme() == null || u.getHost() == null) {
                problems.add(name + " '" + e + "' is not an absolute URL such as http://host:port");
            }
            return u;
        } catch (IllegalArgumentException ex) {
            problems.add(name + " '" + e + "' is not a URL: " + ex.getMessage());
            return null;
        }
    }

    /** The key this worker checks every task against, read from Secrets Manager. */
    public io.numpywren.task.TaskSigner signer() {
        return TaskKeySecret.read(region, secretsEndpoint, null, taskKeySecret);
    }

    /** The store this worker reads and writes. */
    public S3BlockStore.Builder store() {
        S3BlockStore.Builder b = S3BlockStore.builder().bucket(bucket).prefix(prefix).region(region);
        if (endpoint != null) {
            b.endpoint(endpoint);
        }
        return b.pathStyle(pathStyle).readTimeout(readTimeout);
    }
}

package io.numpywren.aws;

import io.numpywren.backend.SettingsReader;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * The aws backend's settings, as {@code numpywren.backends.aws} holds them (flattened names),
 * validated together so that one error names every setting at fault.
 *
 * @param region         the AWS region of the function and the bucket
 * @param functionName   the worker function
 * @param bucket         where the blocks live
 * @param prefix         the key prefix below which they live ("" for none)
 * @param endpoint       an S3 endpoint other than AWS's, or null
 * @param pathStyle      path-style S3 addressing (default: on exactly when an endpoint is set)
 * @param lambdaEndpoint a Lambda endpoint other than AWS's, or null
 * @param concurrency    the most invocations in flight
 * @param memoryMb       the function's memory (Lambda gives CPU in proportion), 128 to 10240 MB
 * @param timeout        the function's timeout, at most 15 minutes
 * @param taskKeySecret  the Secrets Manager secret (name or ARN) with the key that signs tasks
 * @param secretsEndpoint a Secrets Manager endpoint other than AWS's, or null
 */
public record AwsSettings(String region, String functionName, String bucket, String prefix, URI endpoint,
                          boolean pathStyle, URI lambdaEndpoint, int concurrency, int memoryMb, Duration timeout,
                          String taskKeySecret, URI secretsEndpoint) {
    public static final String DEFAULT_FUNCTION_NAME = "numpywren-worker";

    public static AwsSettings from(Map<String, String> settings) {
        SettingsReader r = new SettingsReader("numpywren.backends.aws", settings);
        String region = r.text("region", System.getenv().getOrDefault("AWS_REGION", ""));
        if (region.isEmpty()) {
            r.problem("region is not set (numpywren.backends.aws.region or AWS_REGION)");
        }
        String function = r.text("function-name", DEFAULT_FUNCTION_NAME);
        if (!function.matches("[A-Za-z0-9_-]{1,64}")) {
            r.problem("function-name '" + function + "' must be 1-64 characters of A-Z a-z 0-9 _ -");
        }
        String bucket = r.text("bucket");
        if (bucket.isEmpty()) {
            r.problem("bucket is not set (numpywren.backends.aws.bucket)");
        }
        String prefix = r.text("prefix");
        URI endpoint = r.url("endpoint");
        URI lambdaEndpoint = r.url("lambda-endpoint");
        boolean pathStyle = endpoint != null;
        String ps = r.text("path-style");
        if (!ps.isEmpty()) {
            if (ps.equals("true") || ps.equals("false")) {
                pathStyle = Boolean.parseBoolean(ps);
            } else {
                r.problem("path-style must be true or false, got '" + ps + "'");
            }
        }
        int concurrency = r.integer("concurrency", 100, 1, 100_000);
        int memory = r.integer("memory", 3008, 128, 10_240);
        int timeoutSeconds = r.integer("timeout-seconds", 900, 1, 900);
        String secret = r.text("task-key-secret", "numpywren/" + function + "/task-key");
        if (!secret.matches("[A-Za-z0-9/_+=.@-]{1,512}")) {
            r.problem("task-key-secret '" + secret + "' is not a Secrets Manager name (A-Z a-z 0-9 / _ + = . @ -)");
        }
        URI secretsEndpoint = r.url("secrets-endpoint");
        r.throwIfProblems();
        return new AwsSettings(region, function, bucket, prefix, endpoint, pathStyle, lambdaEndpoint, concurrency,
                memory, Duration.ofSeconds(timeoutSeconds), secret, secretsEndpoint);
    }

    /** Where the blocks live, as s3://bucket/prefix/. */
    public String location() {
        return "s3://" + bucket + "/" + (prefix.isEmpty() ? "" : prefix + "/");
    }

    /** A store on this bucket and prefix, with credentials from the SDK's default provider chain. */
    public S3BlockStore.Builder store() {
        S3BlockStore.Builder b = S3BlockStore.builder().bucket(bucket).prefix(prefix).region(region).pathStyle(pathStyle);
        if (endpoint != null) {
            b.endpoint(endpoint);
        }
        return b;
    }
}

package io.numpywren.aws;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        List<String> problems = new ArrayList<>();
        String region = text(settings, "region");
        if (region.isEmpty()) {
            region = System.getenv().getOrDefault("AWS_REGION", "");
        }
        if (region.isEmpty()) {
            problems.add("region is not set (numpywren.backends.aws.region or AWS_REGION)");
        }
        String function = text(settings, "function-name");
        if (function.isEmpty()) {
            function = DEFAULT_FUNCTION_NAME;
        }
        if (!function.matches("[A-Za-z0-9_-]{1,64}")) {
            problems.add("function-name '" + function + "' must be 1-64 characters of A-Z a-z 0-9 _ -");
        }
        String bucket = text(settings, "bucket");
        if (bucket.isEmpty()) {
            problems.add("bucket is not set (numpywren.backends.aws.bucket)");
        }
        String prefix = text(settings, "prefix");
        URI endpoint = uri(settings, "endpoint", problems);
        URI lambdaEndpoint = uri(settings, "lambda-endpoint", problems);
        boolean pathStyle = endpoint != null;
        String ps = text(settings, "path-style");
        if (!ps.isEmpty()) {
            if (ps.equals("true") || ps.equals("false")) {
                pathStyle = Boolean.parseBoolean(ps);
            } else {
                problems.add("path-style must be true or false, got '" + ps + "'");
            }
        }
        int concurrency = integer(settings, "concurrency", 100, 1, 100_000, problems);
        int memory = integer(settings, "memory", 3008, 128, 10_240, problems);
        int timeoutSeconds = integer(settings, "timeout-seconds", 900, 1, 900, problems);
        String secret = text(settings, "task-key-secret");
        if (secret.isEmpty()) {
            secret = "numpywren/" + function + "/task-key";
        }
        if (!secret.matches("[A-Za-z0-9/_+=.@-]{1,512}")) {
            problems.add("task-key-secret '" + secret + "' is not a Secrets Manager name (A-Z a-z 0-9 / _ + = . @ -)");
        }
        URI secretsEndpoint = uri(settings, "secrets-endpoint", problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("numpywren.backends.aws: " + String.join("; ", problems));
        }
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

    private static String text(Map<String, String> settings, String name) {
        String v = settings.get(name);
        return v == null ? "" : v.trim();
    }

    private static URI uri(Map<String, String> settings, String name, List<String> problems) {
        String v = text(settings, name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(v);
            if (u.getScheme() == null || u.getHost() == null) {
                problems.add(name + " '" + v + "' is not an absolute URL such as https://host:port");
                return null;
            }
            return u;
        } catch (IllegalArgumentException e) {
            problems.add(name + " '" + v + "' is not a URL");
            return null;
        }
    }

    private static int integer(Map<String, String> settings, String name, int dflt, int min, int max,
                               List<String> problems) {
        String v = text(settings, name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                problems.add(name + " must lie in [" + min + ", " + max + "], got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            problems.add(name + " must be an integer, got '" + v + "'");
            return dflt;
        }
    }
}

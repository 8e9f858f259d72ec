package io.numpywren.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code numpywren aws deploy} and {@code destroy} do, computed from the settings alone (no
 * AWS call, no credentials): the worker function's execution role with its trust policy, the
 * managed policy for CloudWatch Logs, an inline policy allowing the block operations on the
 * configured bucket and prefix and on reading the task-signing key's secret only, that secret
 * (a random key every task is signed with), and the function with its code, memory, timeout and
 * environment. ARNs show the account as {@value #ACCOUNT} until the role exists.
 */
public final class DeployPlan {
    public static final String HANDLER = "io.numpywren.aws.WorkerHandler::handleRequest";
    public static final String RUNTIME = "java17";
    /** JBLAS's bundled natives in the jar are for Linux x86_64. */
    public static final String ARCHITECTURE = "x86_64";
    public static final String ACCOUNT = "<account>";
    public static final String INLINE_POLICY_NAME = "numpywren-blocks";
    /** Lambda's limit on code uploaded with the call itself (zipped). */
    public static final long MAX_DIRECT_UPLOAD_BYTES = 50L * 1024 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final DeploySettings settings;
    private final Path artifact;
    private final long artifactBytes;

    private DeployPlan(DeploySettings settings, Path artifact, long artifactBytes) {
        this.settings = settings;
        this.artifact = artifact;
        this.artifactBytes = artifactBytes;
    }

    /** A deploy plan: the artifact must exist and fit Lambda's direct upload. */
    public static DeployPlan deploy(DeploySettings settings, Path artifact) {
        if (artifact == null || !Files.isRegularFile(artifact)) {
            throw new IllegalArgumentException("the function's code " + artifact + " does not exist: build it with "
                    + "'mvn -B -pl backend-aws -am package -DskipTests' (it is backend-aws/target/"
                    + "numpywren-backend-aws-<version>-lambda.jar) or name it with --artifact");
        }
        long size;
        try {
            size = Files.size(artifact);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + artifact, e);
        }
        if (size > MAX_DIRECT_UPLOAD_BYTES) {
            throw new IllegalArgumentException("the function's code " + artifact + " is " + megabytes(size)
                    + ", above Lambda's " + megabytes(MAX_DIRECT_UPLOAD_BYTES) + " limit for direct upload");
        }
        return new DeployPlan(settings, artifact, size);
    }

    /** A destroy plan: no artifact. */
    public static DeployPlan destroy(DeploySettings settings) {
        return new DeployPlan(settings, null, 0);
    }

    public DeploySettings settings() {
        return settings;
    }

    public Path artifact() {
        return artifact;
    }

    public long artifactBytes() {
        return artifactBytes;
    }

    /** aws, aws-cn or aws-us-gov: the ARN partition of the region. */
    public String partition() {
        String region = settings.aws().region();
        if (region.startsWith("cn-")) {
            return "aws-cn";
        }
        if (region.startsWith("us-gov-")) {
            return "aws-us-gov";
        }
        return "aws";
    }

    public String roleArn(String account) {
        return "arn:" + partition() + ":iam::" + account + ":role/" + settings.roleName();
    }

    public String functionArn(String account) {
        return "arn:" + partition() + ":lambda:" + settings.aws().region() + ":" + account + ":function:"
                + settings.aws().functionName();
    }

    /** AWS's managed policy that lets a function write its logs to CloudWatch Logs. */
    public String logsPolicyArn() {
        return "arn:" + partition() + ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
    }

    /** Lets Lambda, and nothing else, assume the role. */
    public String trustPolicy() {
        ObjectNode doc = JSON.createObjectNode().put("Version", "2012-10-17");
        ObjectNode statement = doc.putArray("Statement").addObject();
        statement.put("Effect", "Allow");
        statement.putObject("Principal").put("Service", "lambda.amazonaws.com");
        statement.put("Action", "sts:AssumeRole");
        return write(doc);
    }

    /**
     * The block operations on the bucket below the prefix, nothing else: objects are read, written
     * (multipart above 8 MiB, so an aborted upload must be abortable) and deleted; listing is
     * limited to keys below the prefix (without it S3 answers 403, not 404, for a missing block).
     */
    public String blocksPolicy() {
        String bucket = settings.aws().bucket();
        String prefix = settings.aws().prefix();
        String s3 = "arn:" + partition() + ":s3:::";
        ObjectNode doc = JSON.createObjectNode().put("Version", "2012-10-17");
        ArrayNode statements = doc.putArray("Statement");
        ObjectNode objects = statements.addObject();
        objects.put("Sid", "NumpywrenBlocks");
        objects.put("Effect", "Allow");
        ArrayNode actions = objects.putArray("Action");
        for (String a : List.of("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")) {
            actions.add(a);
        }
        objects.put("Resource", s3 + bucket + "/" + (prefix.isEmpty() ? "" : prefix + "/") + "*");
        ObjectNode list = statements.addObject();
        list.put("Sid", "NumpywrenListBlocks");
        list.put("Effect", "Allow");
        list.put("Action", "s3:ListBucket");
        list.put("Resource", s3 + bucket);
        if (!prefix.isEmpty()) {
            list.putObject("Condition").putObject("StringLike").putArray("s3:prefix").add(prefix + "/*");
        }
        ObjectNode key = statements.addObject();
        key.put("Sid", "NumpywrenTaskKey");
        key.put("Effect", "Allow");
        key.put("Action", "secretsmanager:GetSecretValue");
        key.put("Resource", taskKeySecretArn());
        return write(doc);
    }

    /**
     * The task-signing key's secret as a policy resource: Secrets Manager appends six random
     * characters to a secret's name in its ARN, hence the wildcards (the role's own account only).
     */
    public String taskKeySecretArn() {
        String secret = settings.aws().taskKeySecret();
        if (secret.startsWith("arn:")) {
            return secret;
        }
        return "arn:" + partition() + ":secretsmanager:" + settings.aws().region() + ":*:secret:" + secret + "-??????";
    }

    /** The function's environment: where the blocks are, as {@link WorkerEnvironment} reads it. */
    public Map<String, String> environment() {
        AwsSettings aws = settings.aws();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(WorkerEnvironment.BUCKET, aws.bucket());
        if (!aws.prefix().isEmpty()) {
            env.put(WorkerEnvironment.PREFIX, aws.prefix());
        }
        URI endpoint = aws.endpoint();
        if (endpoint != null) {
            env.put(WorkerEnvironment.S3_ENDPOINT, endpoint.toString());
        }
        if (aws.pathStyle() != (endpoint != null)) {
            env.put(WorkerEnvironment.S3_PATH_STYLE, Boolean.toString(aws.pathStyle()));
        }
        if (!settings.root().isEmpty()) {
            env.put(WorkerEnvironment.ROOT, settings.root());
        }
        env.put(WorkerEnvironment.KERNEL_PROVIDER, settings.kernelProvider());
        env.put(WorkerEnvironment.TASK_KEY_SECRET, aws.taskKeySecret());
        if (aws.secretsEndpoint() != null) {
            env.put(WorkerEnvironment.SECRETS_ENDPOINT, aws.secretsEndpoint().toString());
        }
        return env;
    }

    /** The steps of a deploy, as printed before anything is done. */
    public List<String> deploySteps() {
        AwsSettings aws = settings.aws();
        List<String> lines = new ArrayList<>();
        lines.add("region " + aws.region() + "; account " + ACCOUNT + " is the one the SDK's default credentials belong to");
        lines.add("1. Secrets Manager secret " + aws.taskKeySecret() + ": create it holding a new random 256-bit key, "
                + "unless it exists (the key is never printed)");
        lines.add("   every task is signed with this key; the function refuses any task that is not, so only "
                + "those who can read the secret can make it act");
        lines.add("2. IAM role " + settings.roleName() + ": create it, or update its trust policy if it exists");
        lines.add("   arn:   " + roleArn(ACCOUNT));
        lines.add("   trust: " + oneLine(trustPolicy()));
        lines.add("3. attach the managed policy " + logsPolicyArn() + " (CloudWatch Logs)");
        lines.add("4. put the inline policy " + INLINE_POLICY_NAME + " on the role (" + aws.location()
                + " and the key's secret only):");
        for (String l : blocksPolicy().split("\n")) {
            lines.add("   " + l);
        }
        lines.add("5. Lambda function " + aws.functionName() + ": create it, or update its code and configuration");
        lines.add("   arn:         " + functionArn(ACCOUNT));
        lines.add("   runtime:     " + RUNTIME + " on " + ARCHITECTURE + ", handler " + HANDLER);
        lines.add("   role:        " + roleArn(ACCOUNT));
        lines.add("   memory:      " + aws.memoryMb() + " MB");
        lines.add("   timeout:     " + aws.timeout().toSeconds() + " s");
        List<String> env = new ArrayList<>();
        environment().forEach((k, v) -> env.add(k + "=" + v));
        lines.add("   environment: " + String.join(" ", env));
        lines.add("   code:        " + artifact + " (" + megabytes(artifactBytes) + ", uploaded with the call)");
        lines.add("6. wait until the function is Active");
        return lines;
    }

    /** The steps of a destroy, as printed before anything is done. */
    public List<String> destroySteps() {
        AwsSettings aws = settings.aws();
        List<String> lines = new ArrayList<>();
        lines.add("region " + aws.region() + "; account " + ACCOUNT + " is the one the SDK's default credentials belong to");
        lines.add("1. delete the Lambda function " + aws.functionName() + " (" + functionArn(ACCOUNT) + ")");
        lines.add("2. delete the inline policy " + INLINE_POLICY_NAME + " and detach " + logsPolicyArn()
                + " from the role " + settings.roleName());
        lines.add("3. delete the IAM role " + settings.roleName() + " (" + roleArn(ACCOUNT) + ")");
        lines.add("4. delete the secret " + aws.taskKeySecret() + " at once (no recovery window: a later deploy "
                + "makes a new key)");
        lines.add("kept: the bucket " + aws.bucket() + " and every block below " + aws.location());
        return lines;
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }

    private static String oneLine(String json) {
        try {
            return new ObjectMapper().writeValueAsString(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String write(ObjectNode doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

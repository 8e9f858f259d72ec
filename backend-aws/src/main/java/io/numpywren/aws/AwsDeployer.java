package io.numpywren.aws;

import io.numpywren.task.TaskSigner;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.IamClientBuilder;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.lambda.model.Architecture;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Carries out a {@link DeployPlan} with the AWS SDK's Secrets Manager, IAM and Lambda clients. Credentials come
 * only from the SDK's default provider chain (or, in tests, the provider given); they are never
 * printed. Every step is idempotent, so deploy updates what exists and destroy skips what is gone.
 */
public final class AwsDeployer implements AutoCloseable {
    /** The deployed function and its role, with the account filled in. */
    public record Deployed(String roleArn, String functionArn, String state) {
    }

    private final IamClient iam;
    private final LambdaClient lambda;
    private final SecretsManagerAsyncClient secrets;
    private final Duration roleWait;
    private final Duration retryDelay;

    /**
     * @param credentials null for the SDK's default provider chain
     * @param roleWait    how long to retry creating the function while a new role propagates
     *                    through IAM (seconds on AWS; a CreateFunction meanwhile fails saying the
     *                    role cannot be assumed)
     */
    public AwsDeployer(DeploySettings settings, AwsCredentialsProvider credentials, Duration roleWait,
                       Duration retryDelay) {
        AwsCredentialsProvider c = credentials != null ? credentials : DefaultCredentialsProvider.builder().build();
        AwsSettings aws = settings.aws();
        // IAM is global: its endpoint is in the partition's global region.
        Region iamRegion = switch (aws.region().startsWith("cn-") ? "cn" : aws.region().startsWith("us-gov-") ? "gov" : "aws") {
            case "cn" -> Region.AWS_CN_GLOBAL;
            case "gov" -> Region.AWS_US_GOV_GLOBAL;
            default -> Region.AWS_GLOBAL;
        };
        IamClientBuilder ib = IamClient.builder().credentialsProvider(c).region(iamRegion);
        if (settings.iamEndpoint() != null) {
            ib.endpointOverride(settings.iamEndpoint());
        }
        LambdaClientBuilder lb = LambdaClient.builder().credentialsProvider(c).region(Region.of(aws.region()))
                // uploading a 30 MB jar may take longer than the default call timeout on a slow link
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofMinutes(5)));
        if (aws.lambdaEndpoint() != null) {
            lb.endpointOverride(aws.lambdaEndpoint());
        }
        try {
            this.iam = ib.build();
            this.lambda = lb.build();
            this.secrets = TaskKeySecret.client(aws.region(), aws.secretsEndpoint(), c);
        } catch (SdkException e) {
            throw new IllegalArgumentException("cannot create the AWS clients: " + e.getMessage(), e);
        }
        this.roleWait = roleWait;
        this.retryDelay = retryDelay;
    }

    /** Creates or updates the role, its policies and the function, telling {@code log} each step as it is done. */
    public Deployed deploy(DeployPlan plan, Consumer<String> log) {
        DeploySettings s = plan.settings();
        String secret = s.aws().taskKeySecret();
        boolean keyExists = step("look up the secret " + secret, () -> {
            try {
                secrets.describeSecret(r -> r.secretId(secret)).join();
                return true;
            } catch (CompletionException e) {
                if (e.getCause() instanceof software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException) {
                    return false;
                }
                throw e;
            }
        });
        if (keyExists) {
            log.accept("kept the task-signing key in secret " + secret);
        } else {
            String arn = step("create the secret " + secret, () -> secrets.createSecret(r -> r.name(secret)
                    .secretString(TaskSigner.newKey())
                    .description("numpywren: the key that signs tasks for the worker function "
                            + s.aws().functionName())).join().arn());
            log.accept("created secret " + arn + " with a new task-signing key");
        }
        String role = s.roleName();
        String roleArn = step("look up the role " + role, () -> {
            try {
                return iam.getRole(r -> r.roleName(role)).role().arn();
            } catch (NoSuchEntityException missing) {
                return null;
            }
        });
        if (roleArn == null) {
            roleArn = step("create the role " + role, () -> iam.createRole(r -> r.roleName(role)
                    .assumeRolePolicyDocument(plan.trustPolicy())
                    .description("numpywren worker function " + s.aws().functionName())).role().arn());
            log.accept("created role " + roleArn);
        } else {
            step("update the trust policy of " + role, () -> iam.updateAssumeRolePolicy(r -> r.roleName(role)
                    .policyDocument(plan.trustPolicy())));
            log.accept("updated role " + roleArn);
        }
        step("attach " + plan.logsPolicyArn(), () -> iam.attachRolePolicy(r -> r.roleName(role)
                .policyArn(plan.logsPolicyArn())));
        log.accept("attached " + plan.logsPolicyArn());
        step("put the inline policy " + DeployPlan.INLINE_POLICY_NAME, () -> iam.putRolePolicy(r -> r.roleName(role)
                .policyName(DeployPlan.INLINE_POLICY_NAME).policyDocument(plan.blocksPolicy())));
        log.accept("put inline policy " + DeployPlan.INLINE_POLICY_NAME + " (" + s.aws().location() + ")");

        String function = s.aws().functionName();
        SdkBytes code;
        try {
            code = SdkBytes.fromByteArray(Files.readAllBytes(plan.artifact()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the function's code " + plan.artifact(), e);
        }
        Environment env = Environment.builder().variables(plan.environment()).build();
        int memory = s.aws().memoryMb();
        int timeout = (int) s.aws().timeout().toSeconds();
        boolean exists = step("look up the function " + function, () -> {
            try {
                lambda.getFunction(r -> r.functionName(function));
                return true;
            } catch (ResourceNotFoundException missing) {
                return false;
            }
        });
        String functionArn;
        final String arn = roleArn;
        if (!exists) {
            functionArn = createFunction(function, () -> lambda.createFunction(r -> r.functionName(function)
                    .runtime(DeployPlan.RUNTIME).handler(DeployPlan.HANDLER).role(arn)
                    .architectures(Architecture.X86_64).memorySize(memory).timeout(timeout).environment(env)
                    .description("numpywren worker: one TaskSpec in, one TaskResult out")
                    .code(c -> c.zipFile(code))).functionArn());
            log.accept("created function " + functionArn);
        } else {
            step("update the code of " + function, () -> lambda.updateFunctionCode(r -> r.functionName(function)
                    .architectures(Architecture.X86_64).zipFile(code)));
            step("wait for the code update of " + function, () -> lambda.waiter()
                    .waitUntilFunctionUpdatedV2(r -> r.functionName(function)));
            functionArn = step("update the configuration of " + function, () -> lambda.updateFunctionConfiguration(r -> r
                    .functionName(function).runtime(DeployPlan.RUNTIME).handler(DeployPlan.HANDLER).role(arn)
                    .memorySize(memory).timeout(timeout).environment(env)).functionArn());
            log.accept("updated function " + functionArn);
        }
        FunctionConfiguration ready = step("wait until " + function + " is active", () -> {
            lambda.waiter().waitUntilFunctionActiveV2(r -> r.functionName(function));
            lambda.waiter().waitUntilFunctionUpdatedV2(r -> r.functionName(function));
            return lambda.getFunction(r -> r.functionName(function)).configuration();
        });
        log.accept("function " + function + " is " + ready.stateAsString());
        return new Deployed(roleArn, functionArn, ready.stateAsString());
    }

    /** Deletes the function, the role's policies and the role; what is already gone is skipped. */
    public void destroy(DeployPlan plan, Consumer<String> log) {
        DeploySettings s = plan.settings();
        String function = s.aws().functionName();
        String role = s.roleName();
        log.accept(step("delete the function " + function, () -> {
            try {
                lambda.deleteFunction(r -> r.functionName(function));
                return "deleted function " + function;
            } catch (ResourceNotFoundException gone) {
                return "function " + function + " does not exist";
            }
        }));
        log.accept(step("delete the inline policy of " + role, () -> {
            try {
                iam.deleteRolePolicy(r -> r.roleName(role).policyName(DeployPlan.INLINE_POLICY_NAME));
                return "deleted inline policy " + DeployPlan.INLINE_POLICY_NAME;
            } catch (NoSuchEntityException gone) {
                return "inline policy " + DeployPlan.INLINE_POLICY_NAME + " does not exist";
            }
        }));
        log.accept(step("detach " + plan.logsPolicyArn(), () -> {
            try {
                iam.detachRolePolicy(r -> r.roleName(role).policyArn(plan.logsPolicyArn()));
                return "detached " + plan.logsPolicyArn();
            } catch (NoSuchEntityException gone) {
                return plan.logsPolicyArn() + " is not attached";
            }
        }));
        log.accept(step("delete the role " + role, () -> {
            try {
                iam.deleteRole(r -> r.roleName(role));
                return "deleted role " + role;
            } catch (NoSuchEntityException gone) {
                return "role " + role + " does not exist";
            }
        }));
        String secret = s.aws().taskKeySecret();
        log.accept(step("delete the secret " + secret, () -> {
            try {
                secrets.deleteSecret(r -> r.secretId(secret).forceDeleteWithoutRecovery(true)).join();
                return "deleted secret " + secret;
            } catch (CompletionException e) {
                if (e.getCause() instanceof software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException) {
                    return "secret " + secret + " does not exist";
                }
                throw e;
            }
        }));
    }

    /** A role just created is not yet assumable by Lambda: retry until it is, or {@link #roleWait} has passed. */
    private String createFunction(String function, Supplier<String> create) {
        long deadline = System.nanoTime() + roleWait.toNanos();
        while (true) {
            try {
                return step("create the function " + function, create);
            } catch (DeployException e) {
                boolean propagating = e.getCause() instanceof InvalidParameterValueException ipv
                        && ipv.getMessage() != null && ipv.getMessage().contains("cannot be assumed");
                if (!propagating || System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(retryDelay.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** A failed step, named, with AWS's error code and message (never the credentials). */
    public static final class DeployException extends RuntimeException {
        DeployException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static <T> T step(String what, Supplier<T> action) {
        try {
            try {
                return action.get();
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e; // the async client's own error
            }
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
            String message = e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                    ? e.awsErrorDetails().errorMessage() : e.getMessage();
            throw new DeployException("cannot " + what + ": " + (code != null ? code + ": " : "") + message
                    + " (HTTP " + e.statusCode() + ")", e);
        } catch (SdkException e) {
            throw new DeployException("cannot " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        iam.close();
        lambda.close();
        secrets.close();
    }
}

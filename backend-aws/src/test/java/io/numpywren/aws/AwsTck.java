package io.numpywren.aws;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.tck.ComputeBackendTck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;


/**
 * What every TCK subclass of the aws backend shares: S3Mock, and one Lambda stand-in with two
 * warm worker JVMs for the whole test JVM (a cold start costs a second or more), whose workers
 * read and write the shared bucket below {@link #PREFIX}.
 */
final class AwsTck {
    static final String FUNCTION = "numpywren-worker";
    static final String PREFIX = "blocks";
    static final int CONCURRENCY = 2;
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** The deployment's task-signing key, in the Secrets Manager stand-in under {@link #TASK_KEY_SECRET}. */
    static final String TASK_KEY_SECRET = "numpywren/" + FUNCTION + "/task-key";

    private static LambdaStandIn standIn;
    private static FakeIamAndLambda secrets;

    private AwsTck() {
    }

    /** The worker function's environment, as deploy sets it (and Lambda sets the region and credentials). */
    static Map<String, String> workerEnvironment() {
        S3Mock s3 = S3Mock.get();
        Map<String, String> env = new HashMap<>();
        env.put(WorkerEnvironment.BUCKET, S3Mock.SHARED_BUCKET);
        env.put(WorkerEnvironment.PREFIX, PREFIX);
        env.put(WorkerEnvironment.REGION, S3Mock.REGION);
        env.put(WorkerEnvironment.S3_ENDPOINT, s3.endpoint().toString());
        env.put(WorkerEnvironment.S3_PATH_STYLE, "true");
        // S3Mock sometimes stalls a read that races an overwrite of the same object (a re-run task's).
        env.put(WorkerEnvironment.S3_READ_TIMEOUT_MS, "3000");
        env.put(WorkerEnvironment.TASK_KEY_SECRET, TASK_KEY_SECRET);
        env.put(WorkerEnvironment.SECRETS_ENDPOINT, secrets().secretsEndpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", S3Mock.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3Mock.SECRET_KEY);
        return env;
    }

    /** Secrets Manager, holding the deployment's key as deploy would have created it. */
    static synchronized FakeIamAndLambda secrets() {
        if (secrets == null) {
            try {
                secrets = new FakeIamAndLambda();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            secrets.secrets.put(TASK_KEY_SECRET, io.numpywren.task.TaskSigner.newKey());
            FakeIamAndLambda s = secrets;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "secrets-stand-in-stop"));
        }
        return secrets;
    }

    /** What the driver signs with: the key read from the secret, as the aws backend reads it. */
    static io.numpywren.task.TaskSigner signer() {
        return TaskKeySecret.read(S3Mock.REGION, secrets().secretsEndpoint(), S3Mock.credentials(), TASK_KEY_SECRET);
    }

    static synchronized LambdaStandIn standIn() {
        if (standIn == null) {
            try {
                standIn = LambdaStandIn.start(new LambdaStandIn.Config(FUNCTION, CONCURRENCY, CONCURRENCY, TIMEOUT,
                        workerEnvironment()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LambdaStandIn s = standIn;
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "lambda-stand-in-stop"));
        }
        return standIn;
    }

    /** The store the workers use: the shared bucket, below {@link #PREFIX}. */
    static S3BlockStore store() {
        return S3Mock.get().storeBuilder(S3Mock.SHARED_BUCKET).prefix(PREFIX).build();
    }

    /** A backend invoking the stand-in's function through the SDK's Lambda client. */
    static LambdaBackend backend() {
        LambdaStandIn s = standIn();
        return new LambdaBackend(LambdaBackend.newClient(S3Mock.REGION, s.endpoint(), S3Mock.credentials(), CONCURRENCY,
                TIMEOUT), true, FUNCTION, CONCURRENCY, TIMEOUT, 3008, signer());
    }

    private static software.amazon.awssdk.services.lambda.LambdaAsyncClient outsider;

    /**
     * Anyone with lambda:InvokeFunction: the SDK's Invoke straight to the function, with whatever
     * payload they like, and the driver's own signer to start from.
     */
    static synchronized ComputeBackendTck.OutsideAccess outsideAccess() {
        if (outsider == null) {
            outsider = LambdaBackend.newClient(S3Mock.REGION, standIn().endpoint(), S3Mock.credentials(), 2, TIMEOUT);
        }
        software.amazon.awssdk.services.lambda.LambdaAsyncClient client = outsider;
        return new ComputeBackendTck.OutsideAccess(request -> io.numpywren.task.TaskCodec.decodeResult(client
                .invoke(r -> r.functionName(FUNCTION).payload(software.amazon.awssdk.core.SdkBytes.fromByteArray(request)))
                .join().payload().asByteArray()), signer());
    }
}

package io.numpywren.aws;

import io.numpywren.backend.BackendContext;
import io.numpywren.backend.BackendProvider;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.task.TaskSigner;

import java.net.URI;
import java.time.Duration;

/**
 * {@code numpywren.backend = aws}. Settings ({@code numpywren.backends.aws.*}): {@code region},
 * {@code function-name} (default numpywren-worker), {@code bucket}, {@code prefix},
 * {@code endpoint} (S3), {@code lambda-endpoint}, {@code concurrency} (default 100),
 * {@code timeout-seconds} (the function's timeout, default 900) and {@code memory} (MB, used
 * by deploy and cost estimates), {@code task-key-secret} (the Secrets Manager secret whose key
 * signs every task; default numpywren/&lt;function-name&gt;/task-key) and {@code secrets-endpoint}.
 * The job's store must be the S3 bucket and prefix the workers
 * use, or the workers would not find the blocks.
 */
public final class AwsBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "aws";
    }

    @Override
    public ComputeBackend create(BackendContext context) {
        AwsSettings settings = AwsSettings.from(context.settings());
        if (!(context.store() instanceof S3BlockStore s3)) {
            throw new IllegalArgumentException("the aws backend's workers read and write " + settings.location()
                    + ", but the job's store is " + (context.store() == null ? "none" : context.store().description())
                    + ": use an S3BlockStore on that bucket and prefix");
        }
        if (!s3.bucket().equals(settings.bucket()) || !s3.prefix().equals(settings.prefix())) {
            throw new IllegalArgumentException("the aws backend's workers read and write " + settings.location()
                    + ", but the job's store is " + s3.description() + ": they must be the same bucket and prefix");
        }
        URI lambdaEndpoint = settings.lambdaEndpoint();
        int concurrency = settings.concurrency();
        Duration timeout = settings.timeout();
        TaskSigner signer = TaskKeySecret.read(settings.region(), settings.secretsEndpoint(), null,
                settings.taskKeySecret());
        return new LambdaBackend(LambdaBackend.newClient(settings.region(), lambdaEndpoint, null, concurrency, timeout),
                true, settings.functionName(), concurrency, timeout, settings.memoryMb(), signer);
    }
}

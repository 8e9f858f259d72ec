package io.numpywren.gcp;

import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskSigner;
import io.numpywren.tck.FunctionFrontEnd;
import io.numpywren.tck.FunctionPlatformTck;
import io.numpywren.tck.TckSuite;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the Cloud Functions backend: the worker function under the Functions
 * Framework's invoker in a JVM of its own (one instance, serving two requests at once) behind a
 * front end, its blocks in Cloud Storage's stand-in, every task signed with the deployment's
 * key. The fault suite adds the platform's faults ({@link FunctionPlatformTck}).
 */
class GcpTckTest extends FunctionPlatformTck {
    private static final String BUCKET = "numpywren-tck";
    private static final String PREFIX = "blocks";
    private static final String KEY = TaskSigner.newKey();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static FakeGcs gcs;
    private static FunctionFrontEnd function;

    /** The stand-ins, started once for the test JVM: a cold start costs a second. */
    @Override
    protected FunctionFrontEnd frontEnd() throws IOException, InterruptedException {
        synchronized (GcpTckTest.class) {
            if (function == null) {
                gcs = new FakeGcs();
                Map<String, String> environment = Map.of(WorkerSettings.BUCKET, BUCKET, WorkerSettings.PREFIX, PREFIX,
                        WorkerSettings.STORAGE_HOST, gcs.host(), WorkerSettings.TASK_KEY, KEY);
                function = FunctionFrontEnd.start(() -> FunctionInstance.start(environment));
                FunctionFrontEnd f = function;
                FakeGcs g = gcs;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        f.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                    g.close();
                }, "gcp-stand-ins-stop"));
            }
            return function;
        }
    }

    @Override
    protected URI functionUrl() throws IOException, InterruptedException {
        return frontEnd().origin();
    }

    @Override
    protected TaskSigner deploymentKey() {
        return TaskSigner.fromBase64(KEY, "the test");
    }

    private static GcsBlockStore.Builder store(String bucket) {
        return GcsBlockStore.builder().bucket(bucket).host(gcs.host()).noCredentials().projectId("numpywren-tck");
    }

    /** The workers' bucket and prefix. */
    @Override
    public BlockStore newStore() throws Exception {
        frontEnd();
        return store(BUCKET).prefix(PREFIX).build();
    }

    @Override
    public BlockStore newEmptyStore() throws Exception {
        frontEnd();
        return store("tck-" + UUID.randomUUID().toString().substring(0, 8)).build();
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) throws Exception {
        return new CloudFunctionsBackend(functionUrl(), 2, TIMEOUT, 2L << 30, deploymentKey(), Optional::empty);
    }

    /** Whatever a suite sent it, the function never logged the key. */
    @Override
    public void afterSuite(TckSuite suite) throws Exception {
        super.afterSuite(suite);
        assertThat(frontEnd().output()).as("the function's log after " + suite).doesNotContain(KEY);
    }
}

package io.numpywren.azure;

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
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the Azure Functions backend: the packaged function app under the test host,
 * in a JVM of its own, behind a front end, its blocks in Azurite, every task signed with the
 * deployment's key and every request carrying the function key. The fault suite adds the
 * platform's faults ({@link FunctionPlatformTck}). Runs in the package phase, once the app exists.
 */
class AzureTckTest extends FunctionPlatformTck {
    private static final String CONTAINER = "numpywren-tck";
    private static final String PREFIX = "blocks";
    private static final String KEY = TaskSigner.newKey();
    private static final String FUNCTION_KEY = "tck-function-key";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static Azurite azurite;
    private static FunctionFrontEnd function;

    /** The stand-ins, started once for the test JVM: a cold start costs a second. */
    @Override
    protected FunctionFrontEnd frontEnd() throws IOException, InterruptedException {
        synchronized (AzureTckTest.class) {
            if (function == null) {
                azurite = Azurite.shared();
                azurite.newContainer(CONTAINER).build().close();
                Map<String, String> settings = Map.of(WorkerSettings.CONTAINER, CONTAINER, WorkerSettings.PREFIX, PREFIX,
                        WorkerSettings.CONNECTION_STRING, azurite.connectionString(), WorkerSettings.TASK_KEY, KEY);
                function = FunctionFrontEnd.start(() -> FunctionsHost.start(FunctionsHost.packagedApp(), settings,
                        FUNCTION_KEY));
                FunctionFrontEnd f = function;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        f.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }, "azure-stand-ins-stop"));
            }
            return function;
        }
    }

    @Override
    protected URI functionUrl() throws IOException, InterruptedException {
        return frontEnd().origin().resolve("/api/" + WorkerFunction.NAME);
    }

    @Override
    protected TaskSigner deploymentKey() {
        return TaskSigner.fromBase64(KEY, "the test");
    }

    /** Anyone who holds the function key. */
    @Override
    protected Map<String, String> accessHeaders() {
        return Map.of("x-functions-key", FUNCTION_KEY);
    }

    /** The workers' container and prefix. */
    @Override
    public BlockStore newStore() throws Exception {
        frontEnd();
        return BlobBlockStore.builder().container(CONTAINER).prefix(PREFIX).connectionString(azurite.connectionString())
                .build();
    }

    @Override
    public BlockStore newEmptyStore() throws Exception {
        frontEnd();
        return azurite.newContainer("tck-" + UUID.randomUUID().toString().substring(0, 8)).build();
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) throws Exception {
        return new AzureFunctionsBackend(functionUrl(), 2, TIMEOUT, 2L << 30, deploymentKey(), FUNCTION_KEY);
    }

    /** Whatever a suite sent it, the host never logged the key. */
    @Override
    public void afterSuite(TckSuite suite) throws Exception {
        super.afterSuite(suite);
        assertThat(frontEnd().output()).as("the host's log after " + suite).doesNotContain(KEY);
    }
}

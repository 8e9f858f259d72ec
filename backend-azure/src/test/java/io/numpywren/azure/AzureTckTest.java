package io.numpywren.azure;

import com.typesafe.config.Config;
import io.numpywren.backend.ComputeBackend;
import io.numpywren.storage.BlockStore;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskSigner;
import io.numpywren.tck.ComputeBackendTck;
import io.numpywren.tck.ProviderTck;
import io.numpywren.tck.TckSuite;
import io.numpywren.tck.FunctionFrontEnd;
import io.numpywren.tck.PlatformFaults;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the Azure Functions backend: the packaged function app under the test host,
 * in a JVM of its own, behind a front end, its blocks in Azurite, every task signed with the
 * deployment's key and every request carrying the function key. The fault suite adds the
 * platform's faults beneath the kit's, drawn from a seed: requests throttled with 429, the host
 * killed mid-task (then a cold start), and answers dropped after the worker wrote; each kind must
 * occur. Runs in the package phase, once the app exists.
 */
class AzureTckTest extends ProviderTck {
    private static final String CONTAINER = "numpywren-tck";
    private static final String PREFIX = "blocks";
    private static final String KEY = TaskSigner.newKey();
    private static final String FUNCTION_KEY = "tck-function-key";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final FunctionFrontEnd.Faults FAULTS = new FunctionFrontEnd.Faults(0.03, 0.01, 0.02, 4, 40);
    private static Azurite azurite;
    private static FunctionFrontEnd function;
    private PlatformFaults platformFaults;

    /** The stand-ins, started once for the test JVM: a cold start costs a second. */
    private static synchronized FunctionFrontEnd function() throws IOException, InterruptedException {
        if (function == null) {
            azurite = Azurite.shared();
            azurite.newContainer(CONTAINER).build().close();
            Map<String, String> settings = Map.of(WorkerSettings.CONTAINER, CONTAINER, WorkerSettings.PREFIX, PREFIX,
                    WorkerSettings.CONNECTION_STRING, azurite.connectionString(), WorkerSettings.TASK_KEY, KEY);
            function = FunctionFrontEnd.start(() -> FunctionsHost.start(FunctionsHost.packagedApp(), settings, FUNCTION_KEY));
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

    private PlatformFaults faults() throws IOException, InterruptedException {
        if (platformFaults == null) {
            platformFaults = new PlatformFaults(function(), FAULTS);
        }
        return platformFaults;
    }

    private static URI url() throws IOException, InterruptedException {
        return function().origin().resolve("/api/" + WorkerFunction.NAME);
    }

    /** The workers' container and prefix. */
    @Override
    public BlockStore newStore() throws Exception {
        function();
        return BlobBlockStore.builder().container(CONTAINER).prefix(PREFIX).connectionString(azurite.connectionString())
                .build();
    }

    @Override
    public BlockStore newEmptyStore() throws Exception {
        function();
        return azurite.newContainer("tck-" + UUID.randomUUID().toString().substring(0, 8)).build();
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) throws Exception {
        return new AzureFunctionsBackend(url(), 2, TIMEOUT, 2L << 30, TaskSigner.fromBase64(KEY, "the test"), FUNCTION_KEY);
    }

    /** Anyone who holds the function key: raw bytes POSTed, whatever the status. */
    @Override
    public Optional<ComputeBackendTck.OutsideAccess> outsideAccess() {
        HttpClient http = HttpClient.newHttpClient();
        return Optional.of(new ComputeBackendTck.OutsideAccess(request -> {
            try {
                return TaskCodec.decodeResult(http.send(HttpRequest.newBuilder(url()).header("x-functions-key", FUNCTION_KEY)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).body());
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, TaskSigner.fromBase64(KEY, "the test")));
    }

    @Override
    public void beforeSuite(TckSuite suite) throws Exception {
        faults().beforeSuite(suite);
    }

    @Override
    public void beforeTest(TckSuite suite, String test) throws Exception {
        faults().beforeTest(suite, test);
    }

    /** Whatever a suite sent it, the host never logged the key; after the fault suite, each kind of fault occurred. */
    @Override
    public void afterSuite(TckSuite suite) throws Exception {
        faults().afterSuite(suite);
        assertThat(function().output()).as("the host's log after " + suite).doesNotContain(KEY);
    }

    @Override
    public Config config(TckSuite suite) {
        return PlatformFaults.leases(suite);
    }
}

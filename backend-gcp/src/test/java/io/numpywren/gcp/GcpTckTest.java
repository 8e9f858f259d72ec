package io.numpywren.gcp;

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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every TCK suite on the Cloud Functions backend: the worker function under the Functions
 * Framework's invoker in a JVM of its own (one instance, serving two requests at once) behind a
 * front end, its blocks in Cloud Storage's stand-in, every task signed with the deployment's
 * key. The fault suite adds the platform's faults beneath the kit's, drawn from a seed: requests
 * throttled with 429, the instance killed mid-task (then a cold start), and answers dropped
 * after the worker wrote; each kind must occur.
 */
class GcpTckTest extends ProviderTck {
    private static final FunctionFrontEnd.Faults FAULTS = new FunctionFrontEnd.Faults(0.03, 0.01, 0.02, 4, 40);
    private PlatformFaults platformFaults;
    private static final String BUCKET = "numpywren-tck";
    private static final String PREFIX = "blocks";
    private static final String KEY = TaskSigner.newKey();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static FakeGcs gcs;
    private static FunctionFrontEnd function;

    /** The stand-ins, started once for the test JVM: a cold start costs a second. */
    private static synchronized FunctionFrontEnd function() throws IOException, InterruptedException {
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

    private PlatformFaults faults() throws IOException, InterruptedException {
        if (platformFaults == null) {
            platformFaults = new PlatformFaults(function(), FAULTS);
        }
        return platformFaults;
    }

    private static GcsBlockStore.Builder store(String bucket) {
        return GcsBlockStore.builder().bucket(bucket).host(gcs.host()).noCredentials().projectId("numpywren-tck");
    }

    /** The workers' bucket and prefix. */
    @Override
    public BlockStore newStore() throws Exception {
        function();
        return store(BUCKET).prefix(PREFIX).build();
    }

    @Override
    public BlockStore newEmptyStore() throws Exception {
        function();
        return store("tck-" + UUID.randomUUID().toString().substring(0, 8)).build();
    }

    @Override
    public ComputeBackend newBackend(BlockStore store) throws Exception {
        return new CloudFunctionsBackend(function().origin(), 2, TIMEOUT, 2L << 30, TaskSigner.fromBase64(KEY, "the test"),
                Optional::empty);
    }

    /** Anyone who can reach the function's URL: raw bytes POSTed, whatever the status. */
    @Override
    public Optional<ComputeBackendTck.OutsideAccess> outsideAccess() {
        HttpClient http = HttpClient.newHttpClient();
        return Optional.of(new ComputeBackendTck.OutsideAccess(request -> {
            try {
                return TaskCodec.decodeResult(http.send(HttpRequest.newBuilder(function().origin())
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

    /** Whatever a suite sent it, the function never logged the key; after the fault suite, each kind of fault occurred. */
    @Override
    public void afterSuite(TckSuite suite) throws Exception {
        faults().afterSuite(suite);
        assertThat(function().output()).as("the function's log after " + suite).doesNotContain(KEY);
    }

    @Override
    public Config config(TckSuite suite) {
        return PlatformFaults.leases(suite);
    }
}

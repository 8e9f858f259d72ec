package io.numpywren.tck;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.numpywren.task.TaskCodec;
import io.numpywren.task.TaskSigner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every suite for a provider whose workers are HTTP functions (Cloud Functions, Azure Functions,
 * your own), reached through a {@link FunctionFrontEnd} before one instance of the function. It
 * adds the platform's own faults beneath the fault suite's: on during
 * {@link TckSuite#FAULT_TOLERANCE} (except while a job is cancelled), off elsewhere, and after
 * that suite each kind (429s, instances killed mid-task, answers dropped) must have occurred. The
 * forgery test reaches the function as an outsider with the platform's access would.
 */
public abstract class FunctionPlatformTck extends ProviderTck {
    private Map<String, Long> injectedBefore;

    /** The front end before the provider's function, started on first use. */
    protected abstract FunctionFrontEnd frontEnd() throws Exception;

    /** The worker function's URL through the front end. */
    protected abstract URI functionUrl() throws Exception;

    /** The deployment's key, with which the kit signs an outsider's genuine requests. */
    protected abstract TaskSigner deploymentKey();

    /** What an outsider with the platform's access sends besides the body (a function key); none by default. */
    protected Map<String, String> accessHeaders() {
        return Map.of();
    }

    /** The platform's faults during the fault suite, per request. */
    protected FunctionFrontEnd.Faults platformFaults() {
        return new FunctionFrontEnd.Faults(0.03, 0.01, 0.02, 4, 40);
    }

    /** Anyone who can reach the function's URL: raw bytes POSTed, whatever the status. */
    @Override
    public Optional<ComputeBackendTck.OutsideAccess> outsideAccess() {
        HttpClient http = HttpClient.newHttpClient();
        return Optional.of(new ComputeBackendTck.OutsideAccess(request -> {
            try {
                HttpRequest.Builder post = HttpRequest.newBuilder(functionUrl())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(request));
                accessHeaders().forEach(post::header);
                return TaskCodec.decodeResult(http.send(post.build(), HttpResponse.BodyHandlers.ofByteArray()).body());
            } catch (Exception e) {
                throw new IllegalStateException("cannot reach the function: " + e, e);
            }
        }, deploymentKey()));
    }

    @Override
    public void beforeSuite(TckSuite suite) throws Exception {
        if (suite == TckSuite.FAULT_TOLERANCE) {
            injectedBefore = frontEnd().injected();
        }
    }

    /**
     * No platform faults while a job is cancelled: a killed instance's task waits for a cold
     * start, outlives its lease, and the scheduler, which cleans up without waiting for attempts
     * whose lease expired, may remove the job area before that attempt writes its block.
     */
    @Override
    public void beforeTest(TckSuite suite, String test) throws Exception {
        frontEnd().faults(suite == TckSuite.FAULT_TOLERANCE && !test.startsWith("cancelling")
                ? platformFaults() : FunctionFrontEnd.Faults.NONE);
    }

    /** Faults off; after the fault suite, fails unless each kind occurred. */
    @Override
    public void afterSuite(TckSuite suite) throws Exception {
        frontEnd().faults(FunctionFrontEnd.Faults.NONE);
        if (suite == TckSuite.FAULT_TOLERANCE) {
            Map<String, Long> injected = frontEnd().injected();
            for (String fault : List.of("throttled", "killed", "dropped")) {
                assertThat(injected.get(fault) - injectedBefore.get(fault)).as("faults '%s' the front end injected", fault)
                        .isPositive();
            }
        }
    }

    /** Leases of at least 1 s under faults: a request crosses HTTP and a JVM boundary. */
    @Override
    public Config config(TckSuite suite) {
        return suite != TckSuite.FAULT_TOLERANCE ? ConfigFactory.empty() : ConfigFactory.parseString("""
                numpywren.scheduler.lease.minimum = 1s
                numpywren.scheduler.lease.initial = 2s
                numpywren.scheduler.lease.factor = 3.0
                """);
    }
}

package io.numpywren.azure;

import io.numpywren.task.TaskSigner;
import io.numpywren.testing.StandIns;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Azure without a subscription: Blob Storage (Azurite) and the packaged function app under the
 * test host in a JVM of its own, with the deployment's task key and a function key.
 * {@link #settings()} points numpywren's azure backend at them; {@code backend-azure/stand-ins}
 * runs {@link #main} for the command line.
 */
public final class AzureStandIns implements AutoCloseable {
    public static final String CONTAINER = "numpywren";
    public static final String PREFIX = "blocks";
    private static final String FUNCTION_KEY = "stand-in-function-key";

    public final Azurite azurite;
    public final FunctionsHost host;
    private final String key;

    private AzureStandIns(Azurite azurite, FunctionsHost host, String key) {
        this.azurite = azurite;
        this.host = host;
        this.key = key;
    }

    public static AzureStandIns start() throws IOException, InterruptedException {
        Azurite azurite = Azurite.start();
        azurite.newContainer(CONTAINER).build().close();
        String key = TaskSigner.newKey();
        FunctionsHost host = FunctionsHost.start(FunctionsHost.packagedApp(), Map.of(WorkerSettings.CONTAINER, CONTAINER,
                WorkerSettings.PREFIX, PREFIX, WorkerSettings.CONNECTION_STRING, azurite.connectionString(),
                WorkerSettings.TASK_KEY, key, WorkerSettings.ROOT, "numpywren"), FUNCTION_KEY);
        return new AzureStandIns(azurite, host, key);
    }

    /** The configuration that makes numpywren run on these stand-ins (flattened keys). */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("numpywren.backend", "azure");
        s.put("numpywren.store", "az://" + CONTAINER + "/" + PREFIX);
        s.put("numpywren.backends.azure.app-name", "numpywren-stand-in");
        s.put("numpywren.backends.azure.storage-account", Azurite.ACCOUNT);
        s.put("numpywren.backends.azure.container", CONTAINER);
        s.put("numpywren.backends.azure.prefix", PREFIX);
        s.put("numpywren.backends.azure.url", host.url().toString());
        s.put("numpywren.backends.azure.concurrency", "2");
        s.put("numpywren.backends.azure.connection-string", azurite.connectionString());
        s.put("numpywren.backends.azure.task-key", key);
        s.put("numpywren.backends.azure.function-key", host.functionKey());
        return s;
    }

    /** The deployment's task key: tests check it never shows. */
    public String key() {
        return key;
    }

    @Override
    public void close() throws IOException {
        host.close();
        azurite.close();
    }

    /** Starts the stand-ins, writes their settings to the file given (HOCON), and runs until interrupted. */
    public static void main(String[] args) throws Exception {
        Path conf = Path.of(args.length > 0 ? args[0] : "stand-ins.conf").toAbsolutePath();
        AzureStandIns standIns = start();
        StandIns.serve("numpywren on the Azure stand-ins (backend-azure/stand-ins)",
                standIns, standIns.settings(), conf, List.of(
                "Blob Storage (Azurite): " + standIns.azurite.blobEndpoint() + " (container " + CONTAINER + ")",
                "function app (test host): " + standIns.host.url(),
                "  ./numpywren run cholesky --n 1024 --block 256 --backend azure --store az://" + CONTAINER + "/"
                + PREFIX + " --config " + conf));
    }
}

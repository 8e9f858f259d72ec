package io.numpywren.gcp;

import com.google.cloud.ServiceOptions;
import io.numpywren.backend.SettingsReader;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The gcp backend's settings, as {@code numpywren.backends.gcp} holds them (flattened names),
 * validated together so that one error names every setting at fault.
 *
 * @param project          the Google Cloud project of the function, the secret and the service account
 * @param region           the function's region
 * @param functionName     the worker function (a Cloud Functions 2nd-gen function)
 * @param serviceAccount   the account ID of the service account the function runs as
 * @param bucket           where the blocks live
 * @param prefix           the object-name prefix below which they live ("" for none)
 * @param url              the function's URL, or null: looked up from the function
 * @param concurrency      the function's maximum of instances, and the most requests in flight
 * @param memoryMib        the function's memory
 * @param cpu              its vCPUs (by default the tier Cloud Functions gives that memory)
 * @param timeout          the function's timeout, at most 60 minutes
 * @param taskKeySecret    the Secret Manager secret (its ID) holding the key that signs every task
 * @param storageHost      a Cloud Storage endpoint other than Google's (a stand-in), or null
 * @param functionsEndpoint a Cloud Functions API endpoint other than Google's, or null
 * @param secretsEndpoint  a Secret Manager endpoint other than Google's, or null
 * @param iamEndpoint      an IAM API endpoint other than Google's, or null
 */
public record GcpSettings(String project, String region, String functionName, String serviceAccount, String bucket,
                          String prefix, URI url, int concurrency, int memoryMib, int cpu, Duration timeout,
                          String taskKeySecret, URI storageHost, URI functionsEndpoint, URI secretsEndpoint,
                          URI iamEndpoint) {
    public static final String DEFAULT_REGION = "us-central1";
    public static final String DEFAULT_FUNCTION_NAME = "numpywren-worker";
    public static final int DEFAULT_MEMORY_MIB = 4096;

    /** Reads the settings; a project not set is looked up as Google's clients do (environment, gcloud, metadata). */
    public static GcpSettings from(Map<String, String> settings) {
        return from(settings, GcpSettings::defaultProject);
    }

    static GcpSettings from(Map<String, String> settings, Supplier<String> defaultProject) {
        SettingsReader r = new SettingsReader("numpywren.backends.gcp", settings);
        String project = r.text("project");
        if (project.isEmpty()) {
            String found = defaultProject.get();
            project = found == null ? "" : found.trim();
        }
        if (project.isEmpty()) {
            r.problem("project is not set (numpywren.backends.gcp.project, GOOGLE_CLOUD_PROJECT or gcloud's core/project)");
        } else if (!project.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")) {
            r.problem("project '" + project + "' is not a project ID (6-30 characters of a-z 0-9 -, starting with a letter)");
        }
        String region = r.text("region", DEFAULT_REGION);
        if (!region.matches("[a-z]+-[a-z]+[0-9]+")) {
            r.problem("region '" + region + "' is not a Google Cloud region such as us-central1");
        }
        String function = r.text("function-name", DEFAULT_FUNCTION_NAME);
        if (!function.matches("[a-z]([a-z0-9-]{0,61}[a-z0-9])?")) {
            r.problem("function-name '" + function + "' must be 1-63 characters of a-z 0-9 -, starting with a letter"
                    + " and not ending with -");
        }
        String account = r.text("service-account", function.length() >= 6 ? function : function + "-sa");
        if (!account.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]")) {
            r.problem("service-account '" + account + "' must be an account ID of 6-30 characters of a-z 0-9 -, "
                    + "starting with a letter");
        }
        String bucket = r.text("bucket");
        if (bucket.isEmpty()) {
            r.problem("bucket is not set (numpywren.backends.gcp.bucket)");
        } else if (!bucket.matches("[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]")) {
            r.problem("bucket '" + bucket + "' is not a Cloud Storage bucket name (a-z 0-9 . _ -)");
        }
        String prefix = r.text("prefix").replaceAll("/+$", "");
        URI url = r.url("url");
        int concurrency = r.integer("concurrency", 100, 1, 1000);
        int memory = r.integer("memory", DEFAULT_MEMORY_MIB, 128, 32_768);
        int cpu = r.integer("cpu", defaultCpu(memory), 1, 8);
        if (!List.of(1, 2, 4, 6, 8).contains(cpu)) {
            r.problem("cpu must be 1, 2, 4, 6 or 8, got " + cpu);
        } else if (memory > maxMemoryMib(cpu)) {
            r.problem("memory " + memory + " MiB is more than " + cpu + " vCPU may have (" + maxMemoryMib(cpu)
                    + " MiB): raise cpu");
        } else if (memory < minMemoryMib(cpu)) {
            r.problem(cpu + " vCPU need at least " + minMemoryMib(cpu) + " MiB of memory, got " + memory);
        }
        int timeoutSeconds = r.integer("timeout-seconds", 3600, 1, 3600);
        String secret = r.text("task-key-secret", function + "-task-key");
        if (!secret.matches("[A-Za-z0-9_-]{1,255}")) {
            r.problem("task-key-secret '" + secret + "' is not a Secret Manager secret ID (A-Z a-z 0-9 _ -)");
        }
        URI storageHost = r.url("storage-host");
        URI functionsEndpoint = r.url("functions-endpoint");
        URI secretsEndpoint = r.url("secrets-endpoint");
        URI iamEndpoint = r.url("iam-endpoint");
        r.throwIfProblems();
        return new GcpSettings(project, region, function, account, bucket, prefix, url, concurrency, memory, cpu,
                Duration.ofSeconds(timeoutSeconds), secret, storageHost, functionsEndpoint, secretsEndpoint, iamEndpoint);
    }

    /** The vCPUs Cloud Functions gives a function of this memory unless told otherwise. */
    static int defaultCpu(int memoryMib) {
        if (memoryMib > 16_384) {
            return 8;
        }
        if (memoryMib > 8_192) {
            return 4;
        }
        return memoryMib > 2_048 ? 2 : 1;
    }

    private static int maxMemoryMib(int cpu) {
        return cpu == 1 ? 4_096 : cpu == 2 ? 8_192 : cpu == 4 ? 16_384 : 32_768;
    }

    private static int minMemoryMib(int cpu) {
        return cpu >= 6 ? 4_096 : cpu == 4 ? 2_048 : 128;
    }

    /** Where the blocks live, as gs://bucket/prefix/. */
    public String location() {
        return "gs://" + bucket + "/" + (prefix.isEmpty() ? "" : prefix + "/");
    }

    /** The function's full resource name. */
    public String functionResource() {
        return "projects/" + project + "/locations/" + region + "/functions/" + functionName;
    }

    /** The service account's e-mail address, as IAM names it. */
    public String serviceAccountEmail() {
        return serviceAccount + "@" + project + ".iam.gserviceaccount.com";
    }

    /** The task key's secret, as Secret Manager names it. */
    public String secretResource() {
        return "projects/" + project + "/secrets/" + taskKeySecret;
    }

    /** A store on this bucket and prefix, with Application Default Credentials (none for a stand-in). */
    public GcsBlockStore.Builder store() {
        GcsBlockStore.Builder b = GcsBlockStore.builder().bucket(bucket).prefix(prefix).projectId(project);
        if (storageHost != null) {
            b.host(storageHost.toString()).noCredentials();
        }
        return b;
    }

    private static String defaultProject() {
        for (String variable : List.of("GOOGLE_CLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT")) {
            String v = System.getenv(variable);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return ServiceOptions.getDefaultProjectId();
    }
}

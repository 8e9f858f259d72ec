package io.numpywren.gcp;

import io.numpywren.kernel.LinearAlgebraProviders;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code numpywren gcp deploy} and {@code destroy} do, computed from the settings alone (no
 * Google call, no credentials): the service account the function runs as; its access to the
 * blocks (Cloud Storage's object role on the bucket, with an IAM condition limiting it to objects
 * below the prefix); the Secret Manager secret holding the task-signing key, readable by that
 * account only; and the 2nd-gen function with its code, memory, vCPUs, timeout, maximum of
 * instances, environment and the key as a secret variable.
 */
public final class GcpDeployPlan {
    public static final String ENTRY_POINT = "io.numpywren.gcp.WorkerFunction";
    public static final String RUNTIME = "java17";
    /** Read and write objects (and delete, list): what a worker does with blocks. */
    public static final String OBJECT_ROLE = "roles/storage.objectUser";
    public static final String SECRET_ROLE = "roles/secretmanager.secretAccessor";
    /** Cloud Functions' limit on a function's deployed source (zipped). */
    public static final long MAX_SOURCE_BYTES = 100L * 1024 * 1024;

    private final GcpSettings settings;
    private final String root;
    private final String kernelProvider;
    private final Path artifact;
    private final long artifactBytes;

    private GcpDeployPlan(GcpSettings settings, String root, String kernelProvider, Path artifact, long artifactBytes) {
        this.settings = settings;
        this.root = root;
        this.kernelProvider = kernelProvider;
        this.artifact = artifact;
        this.artifactBytes = artifactBytes;
    }

    /**
     * A deploy plan: the artifact must exist and fit Cloud Functions' limit.
     *
     * @param root           the namespace every task must lie in (numpywren.namespace)
     * @param kernelProvider auto, openblas or netlib
     */
    public static GcpDeployPlan deploy(GcpSettings settings, String root, String kernelProvider, Path artifact) {
        String providerProblem = LinearAlgebraProviders.functionChoiceProblem(kernelProvider, "the function's jar");
        if (providerProblem != null) {
            throw new IllegalArgumentException(providerProblem);
        }
        if (artifact == null || !Files.isRegularFile(artifact)) {
            throw new IllegalArgumentException("the function's code " + artifact + " does not exist: build it with "
                    + "'mvn -B -pl backend-gcp -am package -DskipTests' (it is backend-gcp/target/"
                    + "numpywren-backend-gcp-<version>-function.jar) or name it with --artifact");
        }
        long size;
        try {
            size = Files.size(artifact);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + artifact, e);
        }
        if (size > MAX_SOURCE_BYTES) {
            throw new IllegalArgumentException("the function's code " + artifact + " is " + megabytes(size)
                    + ", above Cloud Functions' " + megabytes(MAX_SOURCE_BYTES) + " limit for a function's source");
        }
        return new GcpDeployPlan(settings, root, kernelProvider, artifact, size);
    }

    /** A destroy plan: no artifact. */
    public static GcpDeployPlan destroy(GcpSettings settings) {
        return new GcpDeployPlan(settings, "", "auto", null, 0);
    }

    public GcpSettings settings() {
        return settings;
    }

    public Path artifact() {
        return artifact;
    }

    /** The service account as an IAM member. */
    public String member() {
        return "serviceAccount:" + settings.serviceAccountEmail();
    }

    /**
     * The condition that keeps the object role to blocks below the prefix (none without a prefix:
     * the whole bucket is numpywren's then).
     */
    public String objectCondition() {
        if (settings.prefix().isEmpty()) {
            return null;
        }
        return "resource.name.startsWith(\"projects/_/buckets/" + settings.bucket() + "/objects/" + settings.prefix() + "/\")";
    }

    /** The condition's title, by which destroy finds the binding again. */
    public String conditionTitle() {
        return "numpywren-" + settings.functionName();
    }

    /** The function's environment: where the blocks are, as {@link WorkerSettings} reads it (the key aside). */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(WorkerSettings.BUCKET, settings.bucket());
        if (!settings.prefix().isEmpty()) {
            env.put(WorkerSettings.PREFIX, settings.prefix());
        }
        if (settings.storageHost() != null) {
            env.put(WorkerSettings.STORAGE_HOST, settings.storageHost().toString());
        }
        if (!root.isEmpty()) {
            env.put(WorkerSettings.ROOT, root);
        }
        env.put(WorkerSettings.KERNEL_PROVIDER, kernelProvider);
        return env;
    }

    /** Memory as Cloud Functions writes it. */
    public String memory() {
        return settings.memoryMib() + "Mi";
    }

    /** The steps of a deploy, as printed before anything is done. */
    public List<String> deploySteps() {
        GcpSettings s = settings;
        List<String> lines = new ArrayList<>();
        lines.add("project " + s.project() + ", region " + s.region() + "; calls made with Application Default Credentials");
        lines.add("1. service account " + s.serviceAccountEmail() + ": create it unless it exists");
        lines.add("2. bucket " + s.bucket() + ": grant " + member() + " " + OBJECT_ROLE
                + (objectCondition() == null ? " on the whole bucket (no prefix is set)"
                : " on objects below " + s.location() + " only, with the IAM condition \"" + conditionTitle() + "\":"));
        if (objectCondition() != null) {
            lines.add("   " + objectCondition());
            lines.add("   (IAM conditions need the bucket's uniform bucket-level access)");
        }
        lines.add("3. Secret Manager secret " + s.secretResource() + ": create it holding a new random 256-bit key, "
                + "unless it exists (the key is never printed)");
        lines.add("   every task is signed with this key; the function refuses any task that is not, so only "
                + "those who can read the secret can make it act");
        lines.add("4. grant " + member() + " " + SECRET_ROLE + " on that secret only");
        lines.add("5. upload the function's code: " + artifact + " (" + megabytes(artifactBytes) + ") as a zip, through "
                + "Cloud Functions' upload URL");
        lines.add("6. Cloud Functions (2nd gen) function " + s.functionResource() + ": create it, or update its code "
                + "and configuration, and wait until it is active");
        lines.add("   runtime:       " + RUNTIME + ", entry point " + ENTRY_POINT + ", HTTP trigger, no public access");
        lines.add("   runs as:       " + s.serviceAccountEmail());
        lines.add("   memory, vCPU:  " + memory() + ", " + s.cpu());
        lines.add("   timeout:       " + s.timeout().toSeconds() + " s");
        lines.add("   instances:     at most " + s.concurrency() + ", one request each");
        List<String> env = new ArrayList<>();
        environment().forEach((k, v) -> env.add(k + "=" + v));
        lines.add("   environment:   " + String.join(" ", env));
        lines.add("   secret env:    " + WorkerSettings.TASK_KEY + "=" + s.secretResource() + "/versions/latest");
        lines.add("callers need roles/run.invoker on the function (project owners and editors have it)");
        return lines;
    }

    /** The steps of a destroy, as printed before anything is done. */
    public List<String> destroySteps() {
        GcpSettings s = settings;
        List<String> lines = new ArrayList<>();
        lines.add("project " + s.project() + ", region " + s.region() + "; calls made with Application Default Credentials");
        lines.add("1. delete the function " + s.functionResource() + " and wait until it is gone");
        lines.add("2. bucket " + s.bucket() + ": remove " + member() + " from " + OBJECT_ROLE);
        lines.add("3. delete the secret " + s.secretResource() + " with every version (a later deploy makes a new key)");
        lines.add("4. delete the service account " + s.serviceAccountEmail());
        lines.add("kept: the bucket " + s.bucket() + " and every block below " + s.location());
        return lines;
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
    }
}

package io.numpywren.gcp;

import com.google.api.gax.rpc.ApiException;
import com.google.cloud.Binding;
import com.google.cloud.Condition;
import com.google.cloud.Policy;
import com.google.cloud.functions.v2.BuildConfig;
import com.google.cloud.functions.v2.Environment;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import com.google.cloud.functions.v2.GenerateUploadUrlRequest;
import com.google.cloud.functions.v2.GenerateUploadUrlResponse;
import com.google.cloud.functions.v2.SecretEnvVar;
import com.google.cloud.functions.v2.ServiceConfig;
import com.google.cloud.functions.v2.Source;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.cloud.iam.admin.v1.IAMSettings;
import com.google.cloud.secretmanager.v1.Replication;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretManagerServiceClient;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.storage.Storage;
import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.protobuf.ByteString;
import io.numpywren.task.TaskSigner;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Carries out a {@link GcpDeployPlan} through Google's Java clients: IAM for the service account,
 * Cloud Storage for the bucket's IAM policy, Secret Manager for the key, Cloud Functions for the
 * code and the function. Credentials are Application Default Credentials (none for stand-ins);
 * the key is never printed. Every step is idempotent: deploy updates what exists, destroy skips
 * what is gone.
 */
public final class GcpDeployer implements AutoCloseable {
    /** The deployed function. */
    public record Deployed(String function, String url, String serviceAccount) {
    }

    private final GcpSettings settings;
    private final IAMClient iam;
    private final SecretManagerServiceClient secrets;
    private final FunctionServiceClient functions;
    private final GcsBlockStore bucket;
    private final HttpClient http = HttpClient.newHttpClient();

    public GcpDeployer(GcpSettings settings) {
        this.settings = settings;
        try {
            this.iam = IAMClient.create(GoogleApis.at(IAMSettings.newBuilder(), settings.iamEndpoint()).build());
            this.functions = FunctionServiceClient.create(
                    GoogleApis.at(FunctionServiceSettings.newBuilder(), settings.functionsEndpoint()).build());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create Google's IAM and Cloud Functions clients: " + e.getMessage(), e);
        }
        this.secrets = SecretManagerKey.client(settings);
        this.bucket = settings.store().build();
    }

    /** Creates or updates everything the plan names, telling {@code log} each step as it is done. */
    public Deployed deploy(GcpDeployPlan plan, Consumer<String> log) {
        GcpSettings s = settings;
        String accountName = "projects/" + s.project() + "/serviceAccounts/" + s.serviceAccountEmail();
        ServiceAccount account = step("look up the service account " + s.serviceAccountEmail(),
                () -> orNull(() -> iam.getServiceAccount(accountName)));
        if (account == null) {
            step("create the service account " + s.serviceAccountEmail(), () -> iam.createServiceAccount(
                    CreateServiceAccountRequest.newBuilder().setName("projects/" + s.project())
                            .setAccountId(s.serviceAccount()).setServiceAccount(ServiceAccount.newBuilder()
                                    .setDisplayName("numpywren worker " + s.functionName())
                                    .setDescription("runs the numpywren worker function " + s.functionName()))
                            .build()));
            log.accept("created service account " + s.serviceAccountEmail());
        } else {
            log.accept("kept service account " + s.serviceAccountEmail());
        }

        step("grant " + GcpDeployPlan.OBJECT_ROLE + " on bucket " + s.bucket(), () -> {
            Storage storage = bucket.storage();
            Policy policy = storage.getIamPolicy(s.bucket(), Storage.BucketSourceOption.requestedPolicyVersion(3));
            List<Binding> bindings = new ArrayList<>(withoutOurs(policy.getBindingsList(), plan));
            Binding.Builder ours = Binding.newBuilder().setRole(GcpDeployPlan.OBJECT_ROLE).setMembers(List.of(plan.member()));
            if (plan.objectCondition() != null) {
                ours.setCondition(Condition.newBuilder().setTitle(plan.conditionTitle())
                        .setDescription("numpywren blocks below " + s.location()).setExpression(plan.objectCondition()).build());
            }
            bindings.add(ours.build());
            return storage.setIamPolicy(s.bucket(), policy.toBuilder().setBindings(bindings).setVersion(3).build());
        });
        log.accept("granted " + GcpDeployPlan.OBJECT_ROLE + " on " + (plan.objectCondition() == null ? "bucket " + s.bucket()
                : s.location()) + " to " + plan.member());

        Secret secret = step("look up the secret " + s.secretResource(), () -> orNull(() -> secrets.getSecret(s.secretResource())));
        if (secret == null) {
            step("create the secret " + s.secretResource(), () -> secrets.createSecret("projects/" + s.project(),
                    s.taskKeySecret(), Secret.newBuilder().setReplication(Replication.newBuilder()
                            .setAutomatic(Replication.Automatic.getDefaultInstance())).putLabels("numpywren-function",
                            s.functionName()).build()));
            step("add the key to " + s.secretResource(), () -> secrets.addSecretVersion(s.secretResource(),
                    SecretPayload.newBuilder().setData(ByteString.copyFromUtf8(TaskSigner.newKey())).build()));
            log.accept("created secret " + s.secretResource() + " with a new task-signing key");
        } else {
            log.accept("kept the task-signing key in secret " + s.secretResource());
        }
        step("grant " + GcpDeployPlan.SECRET_ROLE + " on " + s.secretResource(), () -> {
            com.google.iam.v1.Policy policy = secrets.getIamPolicy(com.google.iam.v1.GetIamPolicyRequest.newBuilder()
                    .setResource(s.secretResource()).build());
            boolean granted = policy.getBindingsList().stream().anyMatch(b -> b.getRole().equals(GcpDeployPlan.SECRET_ROLE)
                    && b.getMembersList().contains(plan.member()));
            if (!granted) {
                policy = policy.toBuilder().addBindings(com.google.iam.v1.Binding.newBuilder()
                        .setRole(GcpDeployPlan.SECRET_ROLE).addMembers(plan.member())).build();
                secrets.setIamPolicy(com.google.iam.v1.SetIamPolicyRequest.newBuilder().setResource(s.secretResource())
                        .setPolicy(policy).build());
            }
            return policy;
        });
        log.accept("granted " + GcpDeployPlan.SECRET_ROLE + " on " + s.secretResource() + " to " + plan.member());

        String location = "projects/" + s.project() + "/locations/" + s.region();
        GenerateUploadUrlResponse upload = step("get an upload URL for the function's code", () -> functions
                .generateUploadUrl(GenerateUploadUrlRequest.newBuilder().setParent(location).build()));
        byte[] zip = zip(plan);
        step("upload the function's code", () -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(upload.getUploadUrl()))
                    .header("Content-Type", "application/zip").PUT(HttpRequest.BodyPublishers.ofByteArray(zip)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("the upload URL answered " + r.statusCode() + " " + r.body());
            }
            return r;
        });
        log.accept("uploaded " + GcpDeployPlan.megabytes(zip.length) + " of code");

        Function function = Function.newBuilder().setName(s.functionResource()).setEnvironment(Environment.GEN_2)
                .setDescription("numpywren worker: runs one signed task per request")
                .setBuildConfig(BuildConfig.newBuilder().setRuntime(GcpDeployPlan.RUNTIME)
                        .setEntryPoint(GcpDeployPlan.ENTRY_POINT)
                        .setSource(Source.newBuilder().setStorageSource(upload.getStorageSource())))
                .setServiceConfig(ServiceConfig.newBuilder().setAvailableMemory(plan.memory())
                        .setAvailableCpu(Integer.toString(s.cpu())).setTimeoutSeconds((int) s.timeout().toSeconds())
                        .setMaxInstanceCount(s.concurrency()).setMaxInstanceRequestConcurrency(1)
                        .setServiceAccountEmail(s.serviceAccountEmail()).putAllEnvironmentVariables(plan.environment())
                        .addSecretEnvironmentVariables(SecretEnvVar.newBuilder().setKey(WorkerSettings.TASK_KEY)
                                .setProjectId(s.project()).setSecret(s.taskKeySecret()).setVersion("latest"))
                        .setIngressSettings(ServiceConfig.IngressSettings.ALLOW_ALL)
                        .setAllTrafficOnLatestRevision(true))
                .putLabels("numpywren", "worker").build();
        Function existing = step("look up the function " + s.functionResource(),
                () -> orNull(() -> functions.getFunction(s.functionResource())));
        Function deployed;
        if (existing == null) {
            deployed = step("create the function " + s.functionResource(), () -> functions.createFunctionAsync(location,
                    function, s.functionName()).get());
            log.accept("created function " + s.functionResource());
        } else {
            deployed = step("update the function " + s.functionResource(),
                    () -> functions.updateFunctionAsync(com.google.cloud.functions.v2.UpdateFunctionRequest.newBuilder()
                            .setFunction(function).build()).get()); // no mask: every field is replaced
            log.accept("updated function " + s.functionResource());
        }
        String url = deployed.getServiceConfig().getUri();
        log.accept("the function is " + deployed.getState() + " at " + url);
        return new Deployed(s.functionResource(), url, s.serviceAccountEmail());
    }

    /** Removes what deploy made, telling {@code log} each step; the bucket and its blocks stay. */
    public void destroy(GcpDeployPlan plan, Consumer<String> log) {
        GcpSettings s = settings;
        boolean deleted = step("delete the function " + s.functionResource(), () -> gone(() -> functions
                .deleteFunctionAsync(s.functionResource()).get()));
        log.accept((deleted ? "deleted function " : "no function ") + s.functionResource());
        step("remove " + plan.member() + " from bucket " + s.bucket(), () -> {
            Storage storage = bucket.storage();
            Policy policy = storage.getIamPolicy(s.bucket(), Storage.BucketSourceOption.requestedPolicyVersion(3));
            List<Binding> kept = withoutOurs(policy.getBindingsList(), plan);
            return kept.size() == policy.getBindingsList().size() ? policy
                    : storage.setIamPolicy(s.bucket(), policy.toBuilder().setBindings(kept).setVersion(3).build());
        });
        log.accept("removed " + plan.member() + " from bucket " + s.bucket());
        deleted = step("delete the secret " + s.secretResource(), () -> gone(() -> {
            secrets.deleteSecret(s.secretResource());
            return null;
        }));
        log.accept((deleted ? "deleted secret " : "no secret ") + s.secretResource());
        String accountName = "projects/" + s.project() + "/serviceAccounts/" + s.serviceAccountEmail();
        deleted = step("delete the service account " + s.serviceAccountEmail(), () -> gone(() -> {
            iam.deleteServiceAccount(accountName);
            return null;
        }));
        log.accept((deleted ? "deleted service account " : "no service account ") + s.serviceAccountEmail());
    }

    /** The bindings without the service account's object role (any condition): what deploy replaces and destroy removes. */
    private static List<Binding> withoutOurs(List<Binding> bindings, GcpDeployPlan plan) {
        List<Binding> out = new ArrayList<>();
        for (Binding b : bindings) {
            if (b.getRole().equals(GcpDeployPlan.OBJECT_ROLE) && b.getMembers().contains(plan.member())) {
                List<String> others = b.getMembers().stream().filter(m -> !m.equals(plan.member())).toList();
                if (!others.isEmpty()) {
                    out.add(b.toBuilder().setMembers(others).build());
                }
            } else {
                out.add(b);
            }
        }
        return out;
    }

    private static byte[] zip(GcpDeployPlan plan) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            // A source of one jar: the Java buildpack deploys it as it is, without building.
            zip.putNextEntry(new ZipEntry("numpywren-worker-function.jar"));
            Files.copy(plan.artifact(), zip);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the function's code " + plan.artifact(), e);
        }
        return bytes.toByteArray();
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private static <T> T orNull(Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (ApiException e) {
            if (GoogleApis.notFound(e)) {
                return null;
            }
            throw e;
        }
    }

    /** Runs a deletion; false when there was nothing to delete. */
    private static boolean gone(Call<?> deletion) throws Exception {
        try {
            deletion.call();
            return true;
        } catch (ApiException | ExecutionException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (GoogleApis.notFound(cause)) {
                return false;
            }
            throw e;
        }
    }

    /** Runs one step; a failure names the step and the API's answer, never a credential. */
    private static <T> T step(String what, Call<T> call) {
        try {
            return call.call();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying to " + what, e);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("could not " + what + ": " + GoogleApis.describe(cause), cause);
        }
    }

    @Override
    public void close() {
        iam.close();
        secrets.close();
        functions.close();
        bucket.close();
    }
}

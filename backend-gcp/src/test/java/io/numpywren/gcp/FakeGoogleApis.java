package io.numpywren.gcp;

import com.google.cloud.functions.v2.CreateFunctionRequest;
import com.google.cloud.functions.v2.DeleteFunctionRequest;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.GenerateUploadUrlRequest;
import com.google.cloud.functions.v2.GenerateUploadUrlResponse;
import com.google.cloud.functions.v2.GetFunctionRequest;
import com.google.cloud.functions.v2.OperationMetadata;
import com.google.cloud.functions.v2.StorageSource;
import com.google.cloud.functions.v2.UpdateFunctionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionRequest;
import com.google.cloud.secretmanager.v1.AccessSecretVersionResponse;
import com.google.cloud.secretmanager.v1.AddSecretVersionRequest;
import com.google.cloud.secretmanager.v1.CreateSecretRequest;
import com.google.cloud.secretmanager.v1.DeleteSecretRequest;
import com.google.cloud.secretmanager.v1.GetSecretRequest;
import com.google.cloud.secretmanager.v1.Secret;
import com.google.cloud.secretmanager.v1.SecretPayload;
import com.google.cloud.secretmanager.v1.SecretVersion;
import com.google.iam.admin.v1.CreateServiceAccountRequest;
import com.google.iam.admin.v1.DeleteServiceAccountRequest;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.v1.GetIamPolicyRequest;
import com.google.iam.v1.Policy;
import com.google.iam.v1.SetIamPolicyRequest;
import com.google.longrunning.GetOperationRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpServer;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the parts of Secret Manager, Cloud Functions (v2) and IAM that numpywren's driver
 * and deploy call through Google's Java clients: their gRPC services on one loopback port, in
 * plaintext, with state kept in maps. Cloud Functions' operations finish at once; an upload URL
 * accepts the PUT of the function's source on a second (HTTP) port. Each call is logged by its
 * method name; nothing logged holds a secret's payload.
 */
public final class FakeGoogleApis implements AutoCloseable {
    private final Server server;
    private final HttpServer uploads;
    /** Secret resource name to its versions' payloads, oldest first. */
    public final Map<String, List<ByteString>> secrets = new ConcurrentHashMap<>();
    public final Map<String, Secret> secretMetadata = new ConcurrentHashMap<>();
    public final Map<String, Policy> iamPolicies = new ConcurrentHashMap<>();
    public final Map<String, ServiceAccount> serviceAccounts = new ConcurrentHashMap<>();
    public final Map<String, Function> functions = new ConcurrentHashMap<>();
    /** Uploaded sources, by object name in the upload bucket. */
    public final Map<String, byte[]> sources = new ConcurrentHashMap<>();
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    /** The URL a created function gets; a test points it at an invoker. */
    public volatile String functionUrl = "https://numpywren-worker-fake.a.run.app";

    public FakeGoogleApis() throws IOException {
        uploads = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        uploads.createContext("/upload/", x -> {
            byte[] body = x.getRequestBody().readAllBytes();
            String object = x.getRequestURI().getPath().substring("/upload/".length());
            int status = "PUT".equals(x.getRequestMethod()) && sources.containsKey(object) ? 200 : 400;
            if (status == 200) {
                sources.put(object, body);
            }
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        uploads.start();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(secretManager()).addService(functionService()).addService(iam()).addService(operationsService())
                .build().start();
    }

    /** Where the clients reach it: {@code http://}, so they send no credentials. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getPort());
    }

    /** A secret with one version, as deploy would leave it. */
    public void putSecret(String resource, String value) {
        secretMetadata.put(resource, Secret.newBuilder().setName(resource).build());
        secrets.put(resource, Collections.synchronizedList(new ArrayList<>(List.of(ByteString.copyFromUtf8(value)))));
    }

    /** A deployed function at {@code url}, as deploy would leave it. */
    public void putFunction(String resource, String url) {
        functions.put(resource, Function.newBuilder().setName(resource).setState(Function.State.ACTIVE)
                .setServiceConfig(com.google.cloud.functions.v2.ServiceConfig.newBuilder().setUri(url)).build());
    }

    private static StatusRuntimeException notFound(String what) {
        return Status.NOT_FOUND.withDescription(what + " not found").asRuntimeException();
    }

    private static StatusRuntimeException exists(String what) {
        return Status.ALREADY_EXISTS.withDescription(what + " already exists").asRuntimeException();
    }

    private ServerServiceDefinition secretManager() {
        String service = "google.cloud.secretmanager.v1.SecretManagerService";
        return ServerServiceDefinition.builder(service)
                .addMethod(unary(service, "CreateSecret", CreateSecretRequest.getDefaultInstance(), Secret.getDefaultInstance(), r -> {
                    String name = r.getParent() + "/secrets/" + r.getSecretId();
                    Secret s = r.getSecret().toBuilder().setName(name).build();
                    if (secretMetadata.putIfAbsent(name, s) != null) {
                        throw exists(name);
                    }
                    secrets.put(name, Collections.synchronizedList(new ArrayList<>()));
                    return s;
                }))
                .addMethod(unary(service, "GetSecret", GetSecretRequest.getDefaultInstance(), Secret.getDefaultInstance(), r -> {
                    Secret s = secretMetadata.get(r.getName());
                    if (s == null) {
                        throw notFound(r.getName());
                    }
                    return s;
                }))
                .addMethod(unary(service, "AddSecretVersion", AddSecretVersionRequest.getDefaultInstance(),
                        SecretVersion.getDefaultInstance(), r -> {
                            List<ByteString> versions = secrets.get(r.getParent());
                            if (versions == null) {
                                throw notFound(r.getParent());
                            }
                            versions.add(r.getPayload().getData());
                            return SecretVersion.newBuilder().setName(r.getParent() + "/versions/" + versions.size())
                                    .setState(SecretVersion.State.ENABLED).build();
                        }))
                .addMethod(unary(service, "AccessSecretVersion", AccessSecretVersionRequest.getDefaultInstance(),
                        AccessSecretVersionResponse.getDefaultInstance(), r -> {
                            String secret = r.getName().replaceFirst("/versions/[^/]+$", "");
                            List<ByteString> versions = secrets.get(secret);
                            if (versions == null || versions.isEmpty()) {
                                throw notFound(r.getName());
                            }
                            return AccessSecretVersionResponse.newBuilder().setName(secret + "/versions/" + versions.size())
                                    .setPayload(SecretPayload.newBuilder().setData(versions.get(versions.size() - 1))).build();
                        }))
                .addMethod(unary(service, "DeleteSecret", DeleteSecretRequest.getDefaultInstance(), Empty.getDefaultInstance(), r -> {
                    if (secretMetadata.remove(r.getName()) == null) {
                        throw notFound(r.getName());
                    }
                    secrets.remove(r.getName());
                    iamPolicies.remove(r.getName());
                    return Empty.getDefaultInstance();
                }))
                .addMethod(unary(service, "GetIamPolicy", GetIamPolicyRequest.getDefaultInstance(), Policy.getDefaultInstance(),
                        r -> iamPolicies.getOrDefault(r.getResource(), Policy.getDefaultInstance())))
                .addMethod(unary(service, "SetIamPolicy", SetIamPolicyRequest.getDefaultInstance(), Policy.getDefaultInstance(), r -> {
                    if (!secretMetadata.containsKey(r.getResource())) {
                        throw notFound(r.getResource());
                    }
                    iamPolicies.put(r.getResource(), r.getPolicy());
                    return r.getPolicy();
                }))
                .build();
    }

    private ServerServiceDefinition functionService() {
        String service = "google.cloud.functions.v2.FunctionService";
        return ServerServiceDefinition.builder(service)
                .addMethod(unary(service, "GetFunction", GetFunctionRequest.getDefaultInstance(), Function.getDefaultInstance(), r -> {
                    Function f = functions.get(r.getName());
                    if (f == null) {
                        throw notFound(r.getName());
                    }
                    return f;
                }))
                .addMethod(unary(service, "GenerateUploadUrl", GenerateUploadUrlRequest.getDefaultInstance(),
                        GenerateUploadUrlResponse.getDefaultInstance(), r -> {
                            String object = "source-" + ids.incrementAndGet() + ".zip";
                            sources.put(object, new byte[0]);
                            return GenerateUploadUrlResponse.newBuilder()
                                    .setUploadUrl("http://127.0.0.1:" + uploads.getAddress().getPort() + "/upload/" + object)
                                    .setStorageSource(StorageSource.newBuilder().setBucket("gcf-v2-uploads").setObject(object))
                                    .build();
                        }))
                .addMethod(unary(service, "CreateFunction", CreateFunctionRequest.getDefaultInstance(), Operation.getDefaultInstance(), r -> {
                    String name = r.getParent() + "/functions/" + r.getFunctionId();
                    Function f = deployed(r.getFunction().toBuilder().setName(name).build());
                    if (functions.putIfAbsent(name, f) != null) {
                        throw exists(name);
                    }
                    return done(name, Any.pack(f));
                }))
                .addMethod(unary(service, "UpdateFunction", UpdateFunctionRequest.getDefaultInstance(), Operation.getDefaultInstance(), r -> {
                    String name = r.getFunction().getName();
                    if (!functions.containsKey(name)) {
                        throw notFound(name);
                    }
                    Function f = deployed(r.getFunction());
                    functions.put(name, f);
                    return done(name, Any.pack(f));
                }))
                .addMethod(unary(service, "DeleteFunction", DeleteFunctionRequest.getDefaultInstance(), Operation.getDefaultInstance(), r -> {
                    if (functions.remove(r.getName()) == null) {
                        throw notFound(r.getName());
                    }
                    return done(r.getName(), Any.pack(Empty.getDefaultInstance()));
                }))
                .build();
    }

    /** What Cloud Functions makes of a function it built: active, with its URL, its source checked. */
    private Function deployed(Function f) {
        String object = f.getBuildConfig().getSource().getStorageSource().getObject();
        byte[] source = sources.get(object);
        if (source == null || source.length == 0) {
            throw Status.INVALID_ARGUMENT.withDescription("no source was uploaded as " + object).asRuntimeException();
        }
        return f.toBuilder().setState(Function.State.ACTIVE)
                .setServiceConfig(f.getServiceConfig().toBuilder().setUri(functionUrl)).build();
    }

    private Operation done(String target, Any response) {
        String name = "operations/fake-" + ids.incrementAndGet();
        Operation op = Operation.newBuilder().setName(name).setDone(true).setResponse(response)
                .setMetadata(Any.pack(OperationMetadata.newBuilder().setTarget(target).build())).build();
        operations.put(name, op);
        return op;
    }

    private ServerServiceDefinition operationsService() {
        String service = "google.longrunning.Operations";
        return ServerServiceDefinition.builder(service)
                .addMethod(unary(service, "GetOperation", GetOperationRequest.getDefaultInstance(), Operation.getDefaultInstance(), r -> {
                    Operation op = operations.get(r.getName());
                    if (op == null) {
                        throw notFound(r.getName());
                    }
                    return op;
                }))
                .build();
    }

    private ServerServiceDefinition iam() {
        String service = "google.iam.admin.v1.IAM";
        return ServerServiceDefinition.builder(service)
                .addMethod(unary(service, "CreateServiceAccount", CreateServiceAccountRequest.getDefaultInstance(),
                        ServiceAccount.getDefaultInstance(), r -> {
                            String project = r.getName().substring("projects/".length());
                            String email = r.getAccountId() + "@" + project + ".iam.gserviceaccount.com";
                            ServiceAccount a = r.getServiceAccount().toBuilder().setEmail(email).setProjectId(project)
                                    .setName(r.getName() + "/serviceAccounts/" + email).build();
                            if (serviceAccounts.putIfAbsent(email, a) != null) {
                                throw exists(email);
                            }
                            return a;
                        }))
                .addMethod(unary(service, "GetServiceAccount", GetServiceAccountRequest.getDefaultInstance(),
                        ServiceAccount.getDefaultInstance(), r -> {
                            ServiceAccount a = serviceAccounts.get(r.getName().replaceFirst(".*/", ""));
                            if (a == null) {
                                throw notFound(r.getName());
                            }
                            return a;
                        }))
                .addMethod(unary(service, "DeleteServiceAccount", DeleteServiceAccountRequest.getDefaultInstance(),
                        Empty.getDefaultInstance(), r -> {
                            if (serviceAccounts.remove(r.getName().replaceFirst(".*/", "")) == null) {
                                throw notFound(r.getName());
                            }
                            return Empty.getDefaultInstance();
                        }))
                .build();
    }

    private <Q extends Message, R extends Message> ServerMethodDefinition<Q, R> unary(
            String service, String method, Q request, R response, java.util.function.Function<Q, R> handler) {
        MethodDescriptor<Q, R> descriptor = MethodDescriptor.<Q, R>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
                .setRequestMarshaller(ProtoUtils.marshaller(request))
                .setResponseMarshaller(ProtoUtils.marshaller(response))
                .build();
        return ServerMethodDefinition.create(descriptor, ServerCalls.asyncUnaryCall((q, reply) -> {
            calls.add(method);
            try {
                reply.onNext(handler.apply(q));
                reply.onCompleted();
            } catch (StatusRuntimeException e) {
                reply.onError(e);
            }
        }));
    }

    @Override
    public void close() {
        server.shutdownNow();
        uploads.stop(0);
    }
}

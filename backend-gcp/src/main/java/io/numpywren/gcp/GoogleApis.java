package io.numpywren.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.InstantiatingGrpcChannelProvider;
import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ClientSettings;
import io.grpc.ManagedChannelBuilder;

import java.net.URI;

/**
 * How numpywren reaches Google's APIs (Secret Manager, Cloud Functions, IAM) through their Java
 * clients: Google's endpoint with Application Default Credentials, unless an endpoint is set. An
 * {@code https://host:port} endpoint (a private one) still uses those credentials; an
 * {@code http://host:port} endpoint is a stand-in, reached in plaintext without credentials.
 */
final class GoogleApis {
    private GoogleApis() {
    }

    /** Points a client's settings at {@code endpoint}; null leaves Google's. */
    static <B extends ClientSettings.Builder<?, ?>> B at(B settings, URI endpoint) {
        if (endpoint == null) {
            return settings;
        }
        boolean plaintext = "http".equals(endpoint.getScheme());
        String hostPort = endpoint.getHost() + ":" + (endpoint.getPort() > 0 ? endpoint.getPort() : plaintext ? 80 : 443);
        settings.setEndpoint(hostPort);
        if (plaintext) {
            settings.setCredentialsProvider(NoCredentialsProvider.create());
            settings.setTransportChannelProvider(InstantiatingGrpcChannelProvider.newBuilder().setEndpoint(hostPort)
                    .setChannelConfigurator(ManagedChannelBuilder::usePlaintext).build());
        }
        return settings;
    }

    /** An API error as a person reads it: its code and message, without the client's stack of causes. */
    static String describe(Throwable t) {
        if (t instanceof ApiException api) {
            return api.getStatusCode().getCode() + ": " + api.getMessage();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Whether {@code t} is the API saying that the thing asked for does not exist. */
    static boolean notFound(Throwable t) {
        return t instanceof ApiException api && api.getStatusCode().getCode() == com.google.api.gax.rpc.StatusCode.Code.NOT_FOUND;
    }
}

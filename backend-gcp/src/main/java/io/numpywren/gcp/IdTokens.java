package io.numpywren.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdTokenCredentials;
import com.google.auth.oauth2.IdTokenProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * ID tokens for the function's URL, which Cloud Functions requires of every caller (the function
 * is deployed without public access): minted from Application Default Credentials (a service
 * account's key, {@code gcloud auth application-default login}, or the metadata server), cached
 * and refreshed before they expire. A stand-in's plain {@code http} URL gets none.
 */
final class IdTokens {
    private IdTokens() {
    }

    static Supplier<Optional<String>> forUrl(URI url) {
        if (!"https".equals(url.getScheme())) {
            return Optional::empty;
        }
        GoogleCredentials credentials;
        try {
            credentials = GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw new IllegalStateException("the gcp backend needs Application Default Credentials to call " + url
                    + " (gcloud auth application-default login, or GOOGLE_APPLICATION_CREDENTIALS): " + e.getMessage(), e);
        }
        if (!(credentials instanceof IdTokenProvider provider)) {
            throw new IllegalStateException("Application Default Credentials of type " + credentials.getClass().getSimpleName()
                    + " cannot mint ID tokens for " + url + ": use a service account, a user login or the metadata server");
        }
        // Cloud Functions checks the token's audience against the function's URL without a path.
        String audience = url.getScheme() + "://" + url.getAuthority();
        IdTokenCredentials tokens = IdTokenCredentials.newBuilder().setIdTokenProvider(provider)
                .setTargetAudience(audience).build();
        return () -> {
            try {
                tokens.refreshIfExpired();
                return Optional.of(tokens.getIdToken().getTokenValue());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot get an ID token for " + audience + ": " + e.getMessage(), e);
            }
        };
    }
}

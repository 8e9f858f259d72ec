package io.numpywren.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What deploy and destroy need beyond {@link AwsSettings}, from the same
 * {@code numpywren.backends.aws} section: {@code role-name} (default: the function's name +
 * "-role"), {@code iam-endpoint} (an IAM endpoint other than AWS's, or none),
 * {@code kernel-provider} and {@code root} (the namespace every task must lie in, passed to the
 * workers as {@value WorkerEnvironment#ROOT}).
 */
public record DeploySettings(AwsSettings aws, String roleName, URI iamEndpoint, String kernelProvider, String root) {

    public static DeploySettings from(Map<String, String> settings) {
        List<String> problems = new ArrayList<>();
        AwsSettings aws = null;
        try {
            aws = AwsSettings.from(settings);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage().replaceFirst("^numpywren\\.backends\\.aws: ", ""));
        }
        String function = aws != null ? aws.functionName() : AwsSettings.DEFAULT_FUNCTION_NAME;
        String role = text(settings, "role-name");
        if (role.isEmpty()) {
            role = function + "-role";
        }
        if (!role.matches("[A-Za-z0-9+=,.@_-]{1,64}")) {
            problems.add("role-name '" + role + "' must be 1-64 characters of A-Z a-z 0-9 + = , . @ _ -");
        }
        URI iam = null;
        String e = text(settings, "iam-endpoint");
        if (!e.isEmpty()) {
            try {
                iam = URI.create(e);
                if (iam.getScheme() == null || iam.getHost() == null) {
                    problems.add("iam-endpoint '" + e + "' is not an absolute URL such as https://host:port");
                }
            } catch (IllegalArgumentException ex) {
                problems.add("iam-endpoint '" + e + "' is not a URL");
            }
        }
        String provider = text(settings, "kernel-provider");
        if (provider.isEmpty()) {
            provider = "auto";
        }
        if (!List.of("auto", "openblas", "netlib").contains(provider)) {
            // The worker jar carries the bundled OpenBLAS only; netlib needs a BLAS in a layer of the user's.
            problems.add("kernel-provider must be auto, openblas or netlib (the worker jar carries no JBLAS), got '"
                    + provider + "'");
        }
        String root = text(settings, "root");
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("numpywren.backends.aws: " + String.join("; ", problems));
        }
        return new DeploySettings(aws, role, iam, provider, root);
    }

    private static String text(Map<String, String> settings, String name) {
        String v = settings.get(name);
        return v == null ? "" : v.trim();
    }
}

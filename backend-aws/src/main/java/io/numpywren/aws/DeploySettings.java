package io.numpywren.aws;

import io.numpywren.backend.SettingsReader;
import io.numpywren.kernel.LinearAlgebraProviders;

import java.net.URI;
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
        SettingsReader r = new SettingsReader("numpywren.backends.aws", settings);
        AwsSettings aws = null;
        try {
            aws = AwsSettings.from(settings);
        } catch (IllegalArgumentException e) {
            r.problem(e.getMessage().replaceFirst("^numpywren\\.backends\\.aws: ", ""));
        }
        String function = aws != null ? aws.functionName() : AwsSettings.DEFAULT_FUNCTION_NAME;
        String role = r.text("role-name", function + "-role");
        if (!role.matches("[A-Za-z0-9+=,.@_-]{1,64}")) {
            r.problem("role-name '" + role + "' must be 1-64 characters of A-Z a-z 0-9 + = , . @ _ -");
        }
        URI iam = r.url("iam-endpoint");
        String provider = r.text("kernel-provider", "auto");
        // The worker jar carries the bundled OpenBLAS only; netlib needs a BLAS in a layer of the user's.
        String providerProblem = LinearAlgebraProviders.functionChoiceProblem(provider, "the worker jar");
        if (providerProblem != null) {
            r.problem(providerProblem);
        }
        String root = r.text("root");
        r.throwIfProblems();
        return new DeploySettings(aws, role, iam, provider, root);
    }
}

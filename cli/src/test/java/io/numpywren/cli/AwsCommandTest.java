package io.numpywren.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code numpywren aws deploy|destroy --dry-run}: the plan, no AWS call; and bad arguments. */
class AwsCommandTest {
    @TempDir
    Path tmp;

    private Path jar() throws Exception {
        Path jar = tmp.resolve("worker.jar");
        Files.write(jar, new byte[2 * 1024 * 1024]);
        return jar;
    }

    @Test
    void dryRunPrintsThePlanAndCallsNothing() throws Exception {
        // Endpoints that would record any connection: a dry run must make none.
        try (ServerSocket trap = new ServerSocket(0)) {
            String endpoint = "http://127.0.0.1:" + trap.getLocalPort();
            System.setProperty("numpywren.backends.aws.lambda-endpoint", endpoint);
            System.setProperty("numpywren.backends.aws.iam-endpoint", endpoint);
            com.typesafe.config.ConfigFactory.invalidateCaches();
            CliRun r;
            try {
                r = CliRun.of("aws", "deploy", "--dry-run", "--region", "us-west-2", "--bucket", "nw-blocks", "--prefix", "jobs",
                        "--memory", "4096", "--timeout-seconds", "600", "--artifact", jar().toString());
            } finally {
                System.clearProperty("numpywren.backends.aws.lambda-endpoint");
                System.clearProperty("numpywren.backends.aws.iam-endpoint");
                com.typesafe.config.ConfigFactory.invalidateCaches();
            }
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("plan: numpywren aws deploy")
                    .contains("IAM role numpywren-worker-role")
                    .containsPattern("arn:aws:iam::<account>:role/numpywren-worker-role")
                    .contains("\"Resource\" : \"arn:aws:s3:::nw-blocks/jobs/*\"")
                    .contains("\"s3:prefix\" : [ \"jobs/*\" ]")
                    .contains("arn:aws:lambda:us-west-2:<account>:function:numpywren-worker")
                    .contains("memory:      4096 MB").contains("timeout:     600 s")
                    .contains("NUMPYWREN_BUCKET=nw-blocks NUMPYWREN_PREFIX=jobs NUMPYWREN_ROOT=numpywren")
                    .contains("worker.jar (2.0 MB")
                    .endsWith("dry run: no AWS call was made\n");
            trap.setSoTimeout(1);
            try {
                trap.accept().close();
                throw new AssertionError("the dry run connected to an AWS endpoint");
            } catch (SocketTimeoutException expected) {
                // nothing connected
            }
        }
        CliRun destroy = CliRun.of("aws", "destroy", "--dry-run", "--region", "us-west-2", "--bucket", "nw-blocks",
                "--function-name", "nw2");
        assertThat(destroy.exit()).as(destroy.err()).isZero();
        assertThat(destroy.out()).contains("delete the Lambda function nw2 (arn:aws:lambda:us-west-2:<account>:function:nw2)")
                .contains("delete the IAM role nw2-role").contains("kept: the bucket nw-blocks");
    }

    @Test
    void badArgumentsGetOneLineNamingTheProblem() throws Exception {
        String[][] cases = {
                {"aws", "deploy", "--dry-run", "--region", "us-east-1", "--artifact", jar().toString()},
                {"aws", "deploy", "--dry-run", "--region", "us-east-1", "--bucket", "b", "--memory", "64",
                        "--artifact", jar().toString()},
                {"aws", "deploy", "--dry-run", "--region", "us-east-1", "--bucket", "b", "--timeout-seconds", "soon",
                        "--artifact", jar().toString()},
                {"aws", "deploy", "--dry-run", "--region", "us-east-1", "--bucket", "b", "--function-name", "no spaces",
                        "--artifact", jar().toString()},
                {"aws", "deploy", "--dry-run", "--region", "us-east-1", "--bucket", "b", "--artifact",
                        tmp.resolve("missing.jar").toString()},
                {"aws", "destroy", "--dry-run", "--region", "us-east-1", "--bucket", "b", "--role-name", "a/b"},
        };
        String[] expected = {"bucket is not set", "memory must lie in [128, 10240], got 64",
                "timeout-seconds must be an integer, got 'soon'", "function-name 'no spaces'", "missing.jar does not exist",
                "role-name 'a/b'"};
        for (int i = 0; i < cases.length; i++) {
            CliRun r = CliRun.of(cases[i]);
            assertThat(r.exit()).as(String.join(" ", cases[i])).isNotZero();
            assertThat(r.err()).as(String.join(" ", cases[i])).startsWith("error: ").contains(expected[i])
                    .doesNotContain("\tat ").hasLineCount(1);
        }
        CliRun unknown = CliRun.of("aws", "deploy", "--memroy", "1");
        assertThat(unknown.exit()).isNotZero();
        assertThat(unknown.err()).contains("Unknown options: '--memroy'").contains("--memory");
    }
}

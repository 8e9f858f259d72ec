package io.numpywren.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code numpywren} command. Bad input gets one clear line and a non-zero exit, never a stack trace. */
@Command(name = "numpywren", mixinStandardHelpOptions = true, version = "numpywren 0.1.0",
        description = "Serverless dense linear algebra on the JVM.",
        subcommands = {RunCommand.class, ResumeCommand.class, JobsCommand.class, PlanCommand.class, LambdaPackCommand.class, BenchCommand.class, AwsCommand.class,
                GcpCommand.class, AzureCommand.class})
public final class Main implements Runnable {
    /** Held so that the level set on it stays: java.util.logging keeps loggers weakly. */
    private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

    public static void main(String[] args) {
        // Bind the logging backend before the actor system's threads log concurrently, which
        // would otherwise make SLF4J print a warning about replayed calls.
        org.slf4j.LoggerFactory.getILoggerFactory();
        GRPC_LOG.setLevel(java.util.logging.Level.WARNING); // its start-up notes are not the user's business
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        // A mistyped option gets one line and a pointer to --help, not the whole usage text.
        cli.setParameterExceptionHandler((e, arguments) -> {
            String suggestion = "";
            if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                suggestion = "; did you mean " + String.join(" or ", u.getSuggestions()) + "?";
            }
            e.getCommandLine().getErr().println("error: " + oneLine(e) + suggestion + " (see: numpywren "
                    + e.getCommandLine().getCommandSpec().qualifiedName(" ").replaceFirst("^[^ ]+ ?", "") + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("error: " + oneLine(e));
            return 1;
        });
        int code = cli.execute(args);
        // A PrintWriter swallows write errors: a full disk or a closed pipe must not pass as success.
        if (out.checkError()) {
            err.println("error: writing the output failed (standard output is full, closed or unwritable)");
            return code == 0 ? 1 : code;
        }
        return code;
    }

    /** The innermost useful message of an exception, on one line. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.io.UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return message.replace('\n', ' ');
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}

package io.numpywren.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One command line run in this JVM: its exit code and what it printed to each stream. */
record CliRun(int exit, String out, String err) {
    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(exit, out.toString(), err.toString());
    }
}

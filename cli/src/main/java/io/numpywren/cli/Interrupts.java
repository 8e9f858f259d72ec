package io.numpywren.cli;

import io.numpywren.scheduler.Numpywren;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Ctrl-C (SIGINT) and SIGTERM during a run. The first cancels the work through
 * {@link Numpywren#cancelAll} and lets the run remove what it wrote before it exits with
 * 128 + the signal's number; a second exits at once, saying what may be left behind.
 *
 * <p>A signal handler, not a shutdown hook: a hook runs while the JVM is already exiting, beside
 * Pekko's own hook that stops the actor system the clean-up needs.
 */
final class Interrupts implements AutoCloseable {
    private static final Map<String, Integer> SIGNALS = Map.of("INT", 2, "TERM", 15);

    private final Numpywren numpywren;
    private final PrintWriter err;
    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private volatile String received;

    private Interrupts(Numpywren numpywren, PrintWriter err) {
        this.numpywren = numpywren;
        this.err = err;
    }

    /** Handles SIGINT and SIGTERM until closed; where the JVM does not let us, they stay as they were. */
    static Interrupts during(Numpywren numpywren, PrintWriter err) {
        Interrupts interrupts = new Interrupts(numpywren, err);
        for (String name : SIGNALS.keySet()) {
            try {
                Signal signal = new Signal(name);
                interrupts.previous.put(signal, Signal.handle(signal, interrupts::onSignal));
            } catch (IllegalArgumentException notHandledHere) {
                // the platform does not deliver this signal to Java (or -Xrs): its default stays
            }
        }
        return interrupts;
    }

    // Each signal runs its handler in a thread of its own: two close together must not both be first.
    private synchronized void onSignal(Signal signal) {
        String name = "SIG" + signal.getName();
        if (received != null) {
            err.println("numpywren: " + name + " again: exiting without cleaning up; blocks of this run may remain in "
                    + numpywren.store().description());
            err.flush();
            Runtime.getRuntime().halt(exitCode(signal.getName()));
        }
        received = name;
        err.println("numpywren: " + name + ": cancelling; waiting for running tasks, then removing this run's blocks"
                + " (press Ctrl-C again to exit at once)");
        err.flush();
        numpywren.cancelAll("interrupted by " + name);
    }

    /** The signal that arrived, as {@code SIGINT} or {@code SIGTERM}, if one did. */
    Optional<String> received() {
        return Optional.ofNullable(received);
    }

    /** The shell's convention for a process ended by a signal: 128 + its number. */
    int exitCode() {
        return exitCode(received.substring(3));
    }

    private static int exitCode(String name) {
        return 128 + SIGNALS.get(name);
    }

    @Override
    public void close() {
        previous.forEach(Signal::handle);
    }
}

package io.numpywren.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** What the tests' stand-ins share about the processes they start: a port to give them, and waiting until they listen. */
public final class Processes {
    private Processes() {
    }

    /** A loopback port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Waits, at most a minute, until {@code process} listens on {@code port}; one that exits first or
     * never listens fails, with what it wrote.
     */
    public static void awaitListening(Process process, int port, String what, Callable<String> output)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + ":\n" + read(output));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(what + " did not listen on " + port + " within a minute:\n" + read(output));
    }

    private static String read(Callable<String> output) {
        try {
            return output.call();
        } catch (Exception e) {
            return "(its output is unreadable: " + e + ")";
        }
    }
}

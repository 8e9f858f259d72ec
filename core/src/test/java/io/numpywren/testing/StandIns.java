package io.numpywren.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** What the backends' stand-in launchers share: their settings as a HOCON file, and running until interrupted. */
public final class StandIns {
    private StandIns() {
    }

    /** Flattened settings as HOCON, one quoted value per line. */
    public static String hocon(String title, Map<String, String> settings) {
        StringBuilder hocon = new StringBuilder("# " + title + "\n");
        settings.forEach((k, v) -> hocon.append(k).append(" = \"").append(v.replace("\\", "\\\\").replace("\"", "\\\""))
                .append("\"\n"));
        return hocon.toString();
    }

    /**
     * Writes {@code settings} to {@code conf}, prints {@code lines}, and waits until the JVM is
     * interrupted (Ctrl-C), then closes {@code standIns}.
     */
    public static void serve(String title, AutoCloseable standIns, Map<String, String> settings, Path conf,
                             List<String> lines) throws IOException, InterruptedException {
        Files.writeString(conf, hocon(title, settings));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                standIns.close();
            } catch (Exception ignored) {
                // exiting anyway
            }
            stopped.countDown();
        }, "stand-ins-stop"));
        lines.forEach(System.out::println);
        System.out.println("settings written to " + conf + "; Ctrl-C stops the stand-ins");
        stopped.await();
    }
}

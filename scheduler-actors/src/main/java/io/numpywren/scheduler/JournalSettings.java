package io.numpywren.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where jobs' journals live ({@code numpywren.journal}), and the Pekko Persistence plugins that
 * write them: an embedded H2 database in a directory (no server), a team's PostgreSQL through
 * the JDBC plugin, or none. The password of a database comes from PostgreSQL's own chain
 * ({@code ~/.pgpass} or {@code PGPASSFILE}), never from numpywren's configuration.
 */
public record JournalSettings(Kind kind, Path directory, String url, String user, int snapshotEvery,
                              java.time.Duration flushInterval, java.time.Duration connectTimeout) {
    /** How jobs are journaled. */
    public enum Kind {
        /** Not at all: a job whose driver dies is lost (what a job on the in-memory store must be). */
        NONE,
        /** An H2 database in {@code directory}; several drivers on one machine share it. */
        EMBEDDED,
        /** A database at {@code url} (PostgreSQL) through Pekko's JDBC plugin. */
        JDBC
    }

    /** The plugins' configuration paths, added by {@link #pekkoConfig()}. */
    public static final String JOURNAL_PLUGIN = "numpywren.journal.pekko.journal";
    public static final String SNAPSHOT_PLUGIN = "numpywren.journal.pekko.snapshot-store";
    public static final String READ_JOURNAL_PLUGIN = "numpywren.journal.pekko.read-journal";
    private static final String NONE_JOURNAL = "numpywren.journal.pekko.none-journal";
    private static final String NO_SNAPSHOT_STORE = "pekko.persistence.no-snapshot-store";
    private static final String SHARED_DB = "numpywren";

    public JournalSettings {
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("numpywren.journal.snapshot-every must be at least 1, got " + snapshotEvery);
        }
        if (kind == Kind.JDBC && (url == null || !url.startsWith("jdbc:postgresql:"))) {
            throw new IllegalArgumentException("numpywren.journal.kind = jdbc needs numpywren.journal.url = "
                    + "jdbc:postgresql://HOST:PORT/DATABASE, got '" + url + "'");
        }
    }

    /** No journal. */
    public static JournalSettings none() {
        return new JournalSettings(Kind.NONE, null, "", "", 200, java.time.Duration.ofMillis(50),
                java.time.Duration.ofSeconds(10));
    }

    /**
     * From {@code numpywren.journal}; {@code auto} means embedded when the store outlives the driver
     * ({@code storeUrl} is not {@code memory}), else none.
     */
    public static JournalSettings from(Config config, String storeUrl) {
        Config c = config.getConfig("numpywren.journal");
        String kind = c.getString("kind").trim().toLowerCase(Locale.ROOT);
        Kind k = switch (kind) {
            case "auto" -> "memory".equals(storeUrl) ? Kind.NONE : Kind.EMBEDDED;
            case "none" -> Kind.NONE;
            case "embedded" -> Kind.EMBEDDED;
            case "jdbc" -> Kind.JDBC;
            default -> throw new IllegalArgumentException("numpywren.journal.kind must be auto, embedded, jdbc or none, got '"
                    + kind + "'");
        };
        return new JournalSettings(k, Path.of(c.getString("directory")).toAbsolutePath(), c.getString("url"),
                c.getString("user"), c.getInt("snapshot-every"), c.getDuration("flush-interval"),
                c.getDuration("connect-timeout"));
    }

    public boolean durable() {
        return kind != Kind.NONE;
    }

    /** The journal plugin the job actors write to. */
    public String journalPluginId() {
        return durable() ? JOURNAL_PLUGIN : NONE_JOURNAL;
    }

    /** The snapshot plugin the job actors write to. */
    public String snapshotPluginId() {
        return durable() ? SNAPSHOT_PLUGIN : NO_SNAPSHOT_STORE;
    }

    /** The JDBC URL the journal is written to (H2's for the embedded kind), or empty for none. */
    public String jdbcUrl() {
        return switch (kind) {
            case NONE -> "";
            // WRITE_DELAY=0: a commit reaches the file at once, so a driver killed right after still has it.
            // TRACE_LEVEL_FILE=0: no trace file beside it (errors reach the driver through JDBC).
            case EMBEDDED -> "jdbc:h2:file:" + directory.resolve("journal") + ";AUTO_SERVER=TRUE;WRITE_DELAY=0;TRACE_LEVEL_FILE=0";
            case JDBC -> url;
        };
    }

    /** Where the journal is, for messages. */
    public String describe() {
        return switch (kind) {
            case NONE -> "none (jobs are not durable)";
            case EMBEDDED -> "embedded H2 database in " + directory;
            case JDBC -> url + (user.isBlank() ? "" : " as " + user);
        };
    }

    /**
     * Creates the journal's tables unless they exist, in an actor system whose configuration
     * includes {@link #pekkoConfig()}; a database that cannot be reached fails here, saying where.
     */
    public void createTables(org.apache.pekko.actor.ClassicActorSystemProvider system) {
        if (!durable()) {
            return;
        }
        try {
            org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils.createIfNotExists(JOURNAL_PLUGIN, system)
                    .toCompletableFuture().get(connectTimeout.toMillis() + 60_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the job journal (" + describe() + ")", e);
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot open the job journal (" + describe() + "): " + cause
                    + "; set numpywren.journal.kind = none to run without durable jobs", cause);
        }
    }

    /** The Pekko configuration of the plugins, to lay over the actor system's. */
    public Config pekkoConfig() {
        Config base = ConfigFactory.parseString("""
                numpywren.journal.pekko.none-journal {
                  class = "io.numpywren.scheduler.DiscardingJournal"
                  plugin-dispatcher = "pekko.actor.default-dispatcher"
                }
                """);
        if (kind == Kind.NONE) {
            return base;
        }
        String profile = kind == Kind.EMBEDDED ? "slick.jdbc.H2Profile$" : "slick.jdbc.PostgresProfile$";
        String driver = kind == Kind.EMBEDDED ? "org.h2.Driver" : "org.postgresql.Driver";
        Config db = ConfigFactory.parseString("""
                profile = "%s"
                db {
                  driver = "%s"
                  connectionPool = "HikariCP"
                  numThreads = 4
                  maxConnections = 4
                  minConnections = 1
                  queueSize = 10000
                  connectionTimeout = %d ms
                }
                """.formatted(profile, driver, Math.max(250, connectTimeout.toMillis())))
                .withValue("db.url", ConfigValueFactory.fromAnyRef(jdbcUrl()));
        if (!user.isBlank()) {
            db = db.withValue("db.user", ConfigValueFactory.fromAnyRef(user));
        }
        Config plugins = ConfigFactory.parseString("""
                numpywren.journal.pekko {
                  journal = ${jdbc-journal} { use-shared-db = "%1$s" }
                  snapshot-store = ${jdbc-snapshot-store} { use-shared-db = "%1$s" }
                  read-journal = ${jdbc-read-journal} { use-shared-db = "%1$s", write-plugin = "%2$s" }
                }
                """.formatted(SHARED_DB, JOURNAL_PLUGIN));
        return plugins.withFallback(ConfigFactory.empty().withValue("pekko-persistence-jdbc.shared-databases." + SHARED_DB,
                db.root())).withFallback(base);
    }
}

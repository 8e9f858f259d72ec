package io.numpywren.scheduler;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalSettingsTest {
    private static Config with(Map<String, Object> settings) {
        return ConfigFactory.parseMap(settings).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void autoJournalsJobsOnAStoreThatOutlivesTheDriverAndNotOnTheMemoryStore() {
        Config config = with(Map.of("numpywren.journal.directory", "/tmp/nw-journal"));
        assertThat(JournalSettings.from(config, "memory").kind()).isEqualTo(JournalSettings.Kind.NONE);
        JournalSettings onFiles = JournalSettings.from(config, "file:/data/blocks");
        assertThat(onFiles.kind()).isEqualTo(JournalSettings.Kind.EMBEDDED);
        assertThat(onFiles.jdbcUrl()).startsWith("jdbc:h2:file:/tmp/nw-journal/journal;");
        assertThat(JournalSettings.from(config, "s3://bucket/prefix").durable()).isTrue();
    }

    @Test
    void theChosenKindWinsOverTheStore() {
        assertThat(JournalSettings.from(with(Map.of("numpywren.journal.kind", "none")), "file:/d").durable()).isFalse();
        assertThat(JournalSettings.from(with(Map.of("numpywren.journal.kind", "embedded")), "memory").durable()).isTrue();
    }

    @Test
    void badJournalSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> JournalSettings.from(with(Map.of("numpywren.journal.kind", "leveldb")), "memory"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("numpywren.journal.kind must be auto, embedded, jdbc or none, got 'leveldb'");
        assertThatThrownBy(() -> JournalSettings.from(with(Map.of("numpywren.journal.kind", "jdbc",
                "numpywren.journal.url", "jdbc:mysql://db/x")), "memory"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:postgresql://");
        assertThatThrownBy(() -> JournalSettings.from(with(Map.of("numpywren.journal.snapshot-every", 0)), "memory"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("snapshot-every");
    }

    @Test
    void thePluginsAreConfiguredUnderNumpywrensOwnPaths() {
        JournalSettings team = JournalSettings.from(with(Map.of("numpywren.journal.kind", "jdbc",
                "numpywren.journal.url", "jdbc:postgresql://db:5432/nw", "numpywren.journal.user", "nw")), "memory");
        Config pekko = team.pekkoConfig().withFallback(ConfigFactory.defaultReference()).resolve();
        assertThat(pekko.getString(JournalSettings.JOURNAL_PLUGIN + ".class")).contains("JdbcAsyncWriteJournal");
        assertThat(pekko.getString("pekko-persistence-jdbc.shared-databases.numpywren.db.url"))
                .isEqualTo("jdbc:postgresql://db:5432/nw");
        assertThat(pekko.getString("pekko-persistence-jdbc.shared-databases.numpywren.db.user")).isEqualTo("nw");
        assertThat(pekko.hasPath("pekko-persistence-jdbc.shared-databases.numpywren.db.password"))
                .as("the password comes from ~/.pgpass, never from the configuration").isFalse();
        assertThat(team.describe()).isEqualTo("jdbc:postgresql://db:5432/nw as nw");
    }
}

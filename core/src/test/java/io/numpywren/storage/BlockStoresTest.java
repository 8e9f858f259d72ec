package io.numpywren.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockStoresTest {
    /** A provider for the tests' own scheme: an in-memory store described by its location and settings. */
    public static final class PrefixedMemoryStores implements BlockStoreProvider {
        @Override
        public String scheme() {
            return "testmem";
        }

        @Override
        public BlockStore open(String location, java.util.function.Function<String, Map<String, String>> sections) {
            String label = sections.apply("stores.testmem").getOrDefault("label", "none");
            return new ForwardingBlockStore(new InMemoryBlockStore()) {
                @Override
                public String description() {
                    return location + " labelled " + label;
                }
            };
        }
    }

    @Test
    void theBuiltInLocationsOpenTheirStores(@TempDir Path dir) {
        assertThat(BlockStores.open("memory", s -> Map.of())).isInstanceOf(InMemoryBlockStore.class);
        try (BlockStore files = BlockStores.open("file:" + dir, s -> Map.of())) {
            files.put("a/b", ByteBuffer.wrap(new byte[] {1, 2}));
            assertThat(Files.exists(dir.resolve("a"))).isTrue();
        }
    }

    @Test
    void aSchemeIsOpenedByItsProviderWithTheSettingsItAsksFor() {
        BlockStore store = BlockStores.open("testmem://bucket/prefix",
                section -> section.equals("stores.testmem") ? Map.of("label", "x") : Map.of());
        assertThat(store.description()).isEqualTo("testmem://bucket/prefix labelled x");
    }

    @Test
    void anUnknownSchemeNamesItselfAndWhatIsAvailable() {
        assertThatThrownBy(() -> BlockStores.open("gs://bucket", s -> Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown store 'gs://bucket'")
                .hasMessageContaining("memory, file:DIR, testmem://...");
        assertThatThrownBy(() -> BlockStores.open(" ", s -> Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no store given");
    }
}

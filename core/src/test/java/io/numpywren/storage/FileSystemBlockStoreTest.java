package io.numpywren.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What only the file-system store does: its layout on disk, temporary files, symbolic links.
 * The {@link BlockStore} contract itself is checked by {@code io.numpywren.tck.BlockStoreTck},
 * run against this store in the backend-local module.
 */
class FileSystemBlockStoreTest {

    @TempDir
    Path tmp;

    BlockStore store;

    Path root() {
        return tmp.resolve("root");
    }

    @BeforeEach
    void openStore() {
        store = new FileSystemBlockStore(root());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.duplicate().get(raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    private static List<String> tree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.map(p -> dir.relativize(p).toString()).filter(s -> !s.isEmpty()).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void theTemporaryFileOfAWriterKilledMidBlockIsHiddenAndRemovedWithItsMatrix() throws IOException {
        store.put("ns/m/0_1", bytes("kept"));
        store.put("ns/S/1_1", bytes("intermediate"));
        Files.writeString(root().resolve("ns/S/#tmp-killed-writer"), "half a blo"); // as a SIGKILL leaves it
        Files.writeString(root().resolve("ns/m/#tmp-killed-writer"), "half");

        assertThat(store.list("ns/")).containsExactlyInAnyOrder("ns/m/0_1", "ns/S/1_1");
        store.delete("ns/S/1_1");
        store.deleteUnfinishedWrites("ns/S/");
        store.deleteUnfinishedWrites("ns/m/");
        store.deleteUnfinishedWrites("ns/gone/"); // nothing there: nothing to do
        assertThat(tree(root())).containsExactly("ns", "ns/m", "ns/m/0_1");
        assertThatThrownBy(() -> store.deleteUnfinishedWrites("ns/m"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not end in '/'");
    }

    @Test
    void eachKeyIsStoredAsOneFileWithExactlyTheObjectsBytes() throws IOException {
        store.put("ns/m/0_1", bytes("payload"));

        assertThat(Files.readString(root().resolve("ns/m/0_1"))).isEqualTo("payload");
        assertThat(tree(root())).containsExactly("ns", "ns/m", "ns/m/0_1");
    }

    @Test
    void dataPersistsAcrossANewStoreOnTheSameDirectory() {
        store.put("a/b", bytes("kept"));
        store.put("c", bytes("also"));
        store.close();

        BlockStore reopened = new FileSystemBlockStore(root());

        assertThat(text(reopened.get("a/b"))).isEqualTo("kept");
        assertThat(reopened.list("")).containsExactly("a/b", "c");
    }

    @Test
    void temporaryFilesNeverShowUpInTheListing() throws IOException {
        store.put("a/real", bytes("1"));
        Files.writeString(root().resolve("a/#tmp-1234"), "half a block");
        Files.writeString(root().resolve("#tmp-5678"), "half a block");

        assertThat(store.list("")).containsExactly("a/real");
        assertThat(store.list("a/")).containsExactly("a/real");
        assertThat(store.deletePrefix("a/")).isEqualTo(1);
    }

    @Test
    void aPutLeavesNoTemporaryFileBehind() throws IOException {
        store.put("a/b", bytes("1"));
        assertThatThrownBy(() -> store.put("a/b", bytes("2"))).isInstanceOf(BlockExistsException.class);
        store.replace("a/c", bytes("3"));
        store.replace("a/c", bytes("4"));

        assertThat(tree(root())).containsExactly("a", "a/b", "a/c");
    }

    @Test
    void aFailedPutLeavesNoTemporaryFileBehindAndNamesTheKey() throws IOException {
        store.put("a/b", bytes("1"));

        // "a" is a directory on disk, so no file can take its place.
        assertThatThrownBy(() -> store.put("a", bytes("2")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("'a'");

        assertThat(tree(root())).containsExactly("a", "a/b");
    }

    @Test
    void deleteRemovesParentDirectoriesThatBecomeEmptyButNotTheRoot() {
        store.put("a/b/c/x", bytes("1"));
        store.put("a/y", bytes("2"));

        store.delete("a/b/c/x");
        assertThat(root().resolve("a/b")).doesNotExist();
        assertThat(root().resolve("a")).isDirectory();

        store.delete("a/y");
        assertThat(root().resolve("a")).doesNotExist();
        assertThat(root()).isDirectory();
    }

    @Test
    void deletePrefixLeavesNoEmptyDirectories() throws IOException {
        store.put("ns/m/0_0", bytes("1"));
        store.put("ns/m/0_1", bytes("1"));
        store.put("ns/other/0_0", bytes("1"));

        store.deletePrefix("ns/m/");

        assertThat(tree(root())).containsExactly("ns", "ns/other", "ns/other/0_0");
    }

    @Test
    void theConstructorCreatesAMissingRootDirectory() {
        Path nested = tmp.resolve("x/y/z");

        BlockStore s = new FileSystemBlockStore(nested);

        assertThat(nested).isDirectory();
        assertThat(s.description()).contains(nested.toString());
    }

    @Test
    void theConstructorRejectsARootThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");

        assertThatThrownBy(() -> new FileSystemBlockStore(file))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString());
    }

    static Stream<String> escapingKeys() {
        return Stream.of("../outside", "../outside/x", "a/../../outside", "/tmp/outside", "..", "a/./../../x",
                "..\\outside", "a//../outside");
    }

    @ParameterizedTest
    @MethodSource("escapingKeys")
    void anInvalidKeyIsRejectedBeforeAnythingIsCreatedOnDisk(String key) throws IOException {
        assertThatThrownBy(() -> store.put(key, bytes("x"))).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store.get(key)).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(InvalidKeyException.class);

        assertThat(tree(tmp)).containsExactly("root");
    }

    @Test
    void aSymlinkToADirectoryOutsideTheRootCannotBeWrittenThrough() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root().resolve("link"), outside);

        assertThatThrownBy(() -> store.put("link/x", bytes("escaped")))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("link/x")
                .hasMessageContaining("outside the store root");

        assertThat(tree(outside)).isEmpty();
    }

    @Test
    void aSymlinkToADirectoryOutsideTheRootCannotBeUsedToCreateDirectoriesThere() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(root().resolve("link"), outside);

        assertThatThrownBy(() -> store.put("link/sub/deeper/x", bytes("escaped")))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("outside the store root");

        assertThat(tree(outside)).isEmpty();
    }

    @Test
    void aSymlinkToADirectoryOutsideTheRootCannotBeUsedToDeleteFilesThere() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path victim = Files.writeString(outside.resolve("victim"), "precious", StandardCharsets.UTF_8);
        Files.createSymbolicLink(root().resolve("link"), outside);

        assertThatThrownBy(() -> store.delete("link/victim"))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("outside the store root");
        assertThatCode(() -> store.deletePrefix("link/")).doesNotThrowAnyException();

        assertThat(victim).hasContent("precious");
    }

    @Test
    void aSymlinkOutsideTheRootCannotBeReadThrough() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "secret", StandardCharsets.UTF_8);
        Files.createSymbolicLink(root().resolve("dirlink"), outside);
        Files.createSymbolicLink(root().resolve("filelink"), outside.resolve("secret"));

        assertThatThrownBy(() -> store.get("dirlink/secret"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("outside the store root");
        assertThatThrownBy(() -> store.get("filelink")).isInstanceOf(StoreException.class)
                .hasMessageContaining("filelink");
        assertThatThrownBy(() -> store.exists("dirlink/secret"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("outside the store root");
        assertThat(store.exists("filelink")).isFalse();
    }

    @Test
    void aSymlinkThatStaysInsideTheRootMayBeUsed() throws IOException {
        Files.createDirectories(root().resolve("real"));
        Files.createSymbolicLink(root().resolve("alias"), root().resolve("real"));

        store.put("alias/x", bytes("via alias"));

        assertThat(text(store.get("real/x"))).isEqualTo("via alias");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "a/b/c/d"})
    void aPutBelowAnExistingObjectFailsWithAStoreErrorNamingTheKey(String key) {
        store.put("a", bytes("file"));

        assertThatThrownBy(() -> store.put(key, bytes("x")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(key);
        assertThat(text(store.get("a"))).isEqualTo("file");
    }
}

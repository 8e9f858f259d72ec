package io.numpywren.tck;

import io.numpywren.codec.BlockCodec;
import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;
import io.numpywren.storage.BlockExistsException;
import io.numpywren.storage.BlockKeys;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InvalidKeyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The {@link BlockStore} contract. {@link ProviderTck} runs it on a provider's
 * {@link TckProvider#newEmptyStore()}; a store without a backend subclasses it alone, implements
 * {@link #newStore()} and, where the store lacks an optional ability, narrows
 * {@link #capabilities()}; tests that need a capability the provider leaves out are skipped
 * and the skip names it.
 *
 * <pre>
 * class MyStoreTckTest extends BlockStoreTck {
 *     protected BlockStore newStore() { return MyStore.open("tck/" + UUID.randomUUID()); }
 * }
 * </pre>
 *
 * <p>What every store must do:
 * <ul>
 *   <li>put, replace, get, exists, delete, list and deletePrefix behave as {@link BlockStore}
 *       documents, byte for byte, for empty and binary objects, replacements and keys that are
 *       only prefixes of other keys;</li>
 *   <li>blocks are written once: a put (or putBlock) of an existing key throws
 *       {@link BlockExistsException} and leaves the object as it was, and of concurrent puts of
 *       one key exactly one succeeds;</li>
 *   <li>a get of a missing key throws {@link BlockNotFoundException} naming the key;</li>
 *   <li>a put is atomic: concurrent writers and readers of one key never see a partial object;</li>
 *   <li>a put stores the bytes from position to limit and leaves the caller's buffer alone; a
 *       get returns a read-only buffer that callers may consume freely;</li>
 *   <li>every key is validated with {@link BlockKeys} before any I/O, so a key that could leave
 *       the store's root (absolute, "..", backslashes, ...) is rejected with an
 *       {@link InvalidKeyException} naming the key and the reason, and nothing is stored;</li>
 *   <li>with {@link StoreCapability#LARGE_BLOCKS}: an object of more than 64 MiB round-trips.</li>
 * </ul>
 */
public abstract class BlockStoreTck {

    /** The size of the large-object test: 64 MiB and an odd tail, so no write ends on a round boundary. */
    public static final int LARGE_OBJECT_BYTES = 64 * 1024 * 1024 + 12_345;

    /** The store under test, fresh and empty for each test; closed after it. */
    protected BlockStore store;

    /** A fresh, empty store. Called once before each test. */
    protected BlockStore newStore() throws Exception {
        if (provider() == null) {
            throw new IllegalStateException(getClass().getName() + " must override newStore(), or run from a ProviderTck");
        }
        return provider().newEmptyStore();
    }

    /** The provider this suite runs for, when {@link ProviderTck} nests it; null when subclassed alone. */
    protected TckProvider provider() {
        return null;
    }

    /**
     * The optional abilities the store has. By default {@link StoreCapability#LARGE_BLOCKS} and
     * {@link StoreCapability#ATOMIC_CONDITIONAL_PUTS}:
     * every store this project targets (memory, a file system, an object store) holds a block
     * of 64 MiB (a 2896 x 2896 float64 block), so a store that cannot must opt out explicitly
     * by overriding this method, and the large-object test then reports the skip.
     */
    protected Set<StoreCapability> capabilities() {
        return provider() != null ? provider().storeCapabilities() : EnumSet.allOf(StoreCapability.class);
    }

    /** Skips the calling test, saying which capability the store does not declare. */
    protected final void requireCapability(StoreCapability capability, String what) {
        assumeTrue(capabilities().contains(capability),
                () -> "skipped: " + what + " needs capability " + capability + ", which "
                        + getClass().getSimpleName() + ".capabilities() does not declare");
    }

    @BeforeEach
    public void openStoreUnderTest() throws Exception {
        store = newStore();
        assertThat(store).as("newStore()").isNotNull();
    }

    @AfterEach
    public void closeStoreUnderTest() {
        if (store != null) {
            store.close();
        }
    }

    protected static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    protected static String text(ByteBuffer b) {
        byte[] raw = new byte[b.remaining()];
        b.duplicate().get(raw);
        return new String(raw, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- basic operations

    @Test
    public void aPutObjectIsReturnedByGet() {
        store.put("ns/m/0_0", bytes("hello"));

        assertThat(text(store.get("ns/m/0_0"))).isEqualTo("hello");
    }

    @Test
    public void anEmptyObjectRoundTrips() {
        store.put("empty", ByteBuffer.allocate(0));

        assertThat(store.exists("empty")).isTrue();
        assertThat(store.get("empty").remaining()).isZero();
        assertThat(store.list("")).containsExactly("empty");
    }

    @Test
    public void binaryContentRoundTripsByteForByte() {
        byte[] all = new byte[256 * 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 7);
        }
        store.put("bin", ByteBuffer.wrap(all));

        ByteBuffer got = store.get("bin");
        byte[] back = new byte[got.remaining()];
        got.get(back);
        assertThat(back).isEqualTo(all);
    }

    @Test
    public void anEncodedBlockRoundTripsAndPassesItsChecksum() {
        Block block = Block.ofRows(new double[] {1.5, -2.25, Math.PI}, new double[] {0, Double.MIN_VALUE, 1e300});
        store.put("ns/A/0_0", BlockCodec.encode(block));

        assertThat(BlockCodec.decode("ns/A/0_0", store.get("ns/A/0_0"))).isEqualTo(block);
    }

    @Test
    public void getOfAMissingKeyThrowsBlockNotFoundNamingTheKey() {
        assertThatThrownBy(() -> store.get("ns/missing/3_4"))
                .isInstanceOf(BlockNotFoundException.class)
                .hasMessageContaining("ns/missing/3_4")
                .satisfies(e -> assertThat(((BlockNotFoundException) e).key()).isEqualTo("ns/missing/3_4"));
    }

    @Test
    public void getOfAKeyThatIsOnlyAPrefixOfOtherKeysThrowsBlockNotFound() {
        store.put("a/b/c", bytes("x"));

        assertThatThrownBy(() -> store.get("a/b"))
                .isInstanceOf(BlockNotFoundException.class)
                .hasMessageContaining("a/b");
    }

    @Test
    public void getOfAKeyBelowAnExistingObjectThrowsBlockNotFound() {
        store.put("a", bytes("x"));

        assertThatThrownBy(() -> store.get("a/b"))
                .isInstanceOf(BlockNotFoundException.class)
                .hasMessageContaining("a/b");
    }

    @Test
    public void existsIsTrueOnlyForStoredObjects() {
        store.put("a/b/c", bytes("x"));

        assertThat(store.exists("a/b/c")).isTrue();
        assertThat(store.exists("a/b")).isFalse();
        assertThat(store.exists("a/b/c/d")).isFalse();
        assertThat(store.exists("a/b/cd")).isFalse();
    }

    @Test
    public void deleteReturnsWhetherTheObjectExisted() {
        store.put("k", bytes("x"));

        assertThat(store.delete("k")).isTrue();
        assertThat(store.delete("k")).isFalse();
        assertThat(store.exists("k")).isFalse();
        assertThatThrownBy(() -> store.get("k")).isInstanceOf(BlockNotFoundException.class)
                .hasMessageContaining("k");
    }

    @Test
    public void deleteOfAKeyThatIsOnlyAPrefixReturnsFalseAndKeepsTheObjectsBelowIt() {
        store.put("a/b/c", bytes("x"));

        assertThat(store.delete("a/b")).isFalse();
        assertThat(store.delete("a/b/c/d")).isFalse();
        assertThat(text(store.get("a/b/c"))).isEqualTo("x");
    }

    @Test
    public void deleteOfAKeyBelowAnExistingObjectReturnsFalse() {
        store.put("a", bytes("x"));

        assertThat(store.delete("a/b")).isFalse();
        assertThat(store.exists("a")).isTrue();
    }

    @Test
    public void aSecondPutOfAKeyIsRefusedNamingItAndTheFirstObjectStays() {
        store.put("ns/A/0_0", bytes("the first value"));

        assertThatThrownBy(() -> store.put("ns/A/0_0", bytes("1e300")))
                .isInstanceOf(BlockExistsException.class)
                .hasMessageContaining("ns/A/0_0")
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> store.put("ns/A/0_0", ByteBuffer.allocate(0)))
                .isInstanceOf(BlockExistsException.class);

        assertThat(text(store.get("ns/A/0_0"))).isEqualTo("the first value");
        assertThat(store.list("")).containsExactly("ns/A/0_0");
    }

    @Test
    public void aSecondPutBlockOfAKeyIsRefusedAndTheFirstBlockStays() {
        Block first = Block.wrap(2, 2, new double[]{1, 2, 3, 4});
        store.putBlock("ns/B/0_0", first, DType.FLOAT64);

        assertThatThrownBy(() -> store.putBlock("ns/B/0_0", Block.wrap(2, 2, new double[]{9, 9, 9, 9}), DType.FLOAT64))
                .isInstanceOf(BlockExistsException.class);
        assertThatThrownBy(() -> store.putGivenBlock("ns/B/0_0", Block.wrap(1, 1, new double[]{7}), DType.FLOAT32))
                .isInstanceOf(BlockExistsException.class);

        assertThat(BlockCodec.decode("ns/B/0_0", store.get("ns/B/0_0")).data()).containsExactly(1, 2, 3, 4);
    }

    @Test
    public void replaceReplacesTheWholeObject() {
        store.put("k", bytes("a much longer first value"));
        store.replace("k", bytes("short"));

        assertThat(text(store.get("k"))).isEqualTo("short");
        assertThat(store.list("")).containsExactly("k");
    }

    @Test
    public void replaceOfAMissingKeyCreatesIt() {
        store.replace("new/0_0", bytes("created"));

        assertThat(text(store.get("new/0_0"))).isEqualTo("created");
    }

    @Test
    public void aDeletedKeyCanBeWrittenAgain() {
        store.put("a/b/c", bytes("first"));
        store.delete("a/b/c");
        store.put("a/b/c", bytes("second"));

        assertThat(text(store.get("a/b/c"))).isEqualTo("second");
        assertThat(store.list("a/")).containsExactly("a/b/c");
    }

    // ---------------------------------------------------------------- large objects

    /** The byte at {@code index} of the large object: a cheap hash, so no two regions look alike. */
    private static long largeObjectWord(long index) {
        long z = index * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 31)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 29);
    }

    @Test
    public void anObjectOfMoreThan64MiBRoundTripsByteForByte() {
        requireCapability(StoreCapability.LARGE_BLOCKS, "storing an object of " + LARGE_OBJECT_BYTES + " bytes");
        int words = LARGE_OBJECT_BYTES / Long.BYTES;
        int tail = LARGE_OBJECT_BYTES % Long.BYTES;
        // The one large buffer of this test; the expected content is recomputed while checking.
        ByteBuffer big = ByteBuffer.allocate(LARGE_OBJECT_BYTES);
        for (int i = 0; i < words; i++) {
            big.putLong(largeObjectWord(i));
        }
        for (int i = 0; i < tail; i++) {
            big.put((byte) (largeObjectWord(words + i) >>> 7));
        }
        big.flip();

        store.put("large/0_0", big);
        big = null; // the store may keep it (an in-memory store does); this test no longer needs it

        assertThat(store.exists("large/0_0")).isTrue();
        assertThat(store.list("large/")).containsExactly("large/0_0");
        ByteBuffer got = store.get("large/0_0");
        assertThat(got.remaining()).as("size of the object read back").isEqualTo(LARGE_OBJECT_BYTES);
        ByteBuffer in = got.duplicate().order(java.nio.ByteOrder.BIG_ENDIAN);
        int base = in.position();
        for (int i = 0; i < words; i++) {
            long actual = in.getLong(base + i * Long.BYTES);
            if (actual != largeObjectWord(i)) {
                throw new AssertionError("the large object differs at byte offset about " + ((long) i * Long.BYTES)
                        + ": expected word " + Long.toHexString(largeObjectWord(i)) + ", got " + Long.toHexString(actual));
            }
        }
        for (int i = 0; i < tail; i++) {
            assertThat(in.get(base + words * Long.BYTES + i)).as("tail byte %d", i)
                    .isEqualTo((byte) (largeObjectWord(words + i) >>> 7));
        }
        got = null;
        in = null;
        assertThat(store.delete("large/0_0")).isTrue();
        assertThat(store.exists("large/0_0")).isFalse();
    }

    // ---------------------------------------------------------------- listing

    @Test
    public void listReturnsTheKeysWithThePrefixInLexicographicOrder() {
        List<String> keys = new ArrayList<>(List.of("m/1_0", "m/0_1", "m/10_0", "m/0_0", "m/header.json", "m/2_2"));
        Collections.shuffle(keys, new Random(7));
        for (String k : keys) {
            store.put(k, bytes(k));
        }
        store.put("other/0_0", bytes("o"));

        assertThat(store.list("m/")).containsExactly("m/0_0", "m/0_1", "m/10_0", "m/1_0", "m/2_2", "m/header.json");
    }

    @Test
    public void aDirectoryPrefixDoesNotListKeysWhoseSegmentOnlyStartsTheSame() {
        store.put("a/b/x", bytes("1"));
        store.put("a/b/y/z", bytes("2"));
        store.put("a/bc/x", bytes("3"));
        store.put("a/b+", bytes("sorts just before a/b/"));
        store.put("a/b.txt", bytes("sorts just before a/b/"));
        store.put("a/c", bytes("4"));

        assertThat(store.list("a/b/")).containsExactly("a/b/x", "a/b/y/z");
        assertThat(store.list("a/b")).containsExactly("a/b+", "a/b.txt", "a/b/x", "a/b/y/z", "a/bc/x");
    }

    @Test
    public void aPrefixIsMatchedAsAStringNotAsWholeSegments() {
        store.put("a/b/x", bytes("1"));
        store.put("a/bc/x", bytes("2"));
        store.put("a/c/x", bytes("3"));
        store.put("ab", bytes("4"));

        assertThat(store.list("a/b")).containsExactly("a/b/x", "a/bc/x");
        assertThat(store.list("a")).containsExactly("a/b/x", "a/bc/x", "a/c/x", "ab");
    }

    @Test
    public void aPrefixThatIsAWholeKeyListsThatKey() {
        store.put("a/b", bytes("1"));
        store.put("a/bb", bytes("2"));

        assertThat(store.list("a/b")).containsExactly("a/b", "a/bb");
        assertThat(store.list("a/bb")).containsExactly("a/bb");
    }

    @Test
    public void theEmptyPrefixListsEveryObject() {
        store.put("z", bytes("1"));
        store.put("a/b/c", bytes("2"));
        store.put("m/n", bytes("3"));

        assertThat(store.list("")).containsExactly("a/b/c", "m/n", "z");
    }

    @Test
    public void listOfAPrefixNothingStartsWithIsEmpty() {
        store.put("a/b", bytes("1"));

        assertThat(store.list("q/")).isEmpty();
        assertThat(store.list("a/b/")).isEmpty();
        assertThat(store.list("a/bz")).isEmpty();
    }

    @Test
    public void aNewStoreIsEmpty() {
        assertThat(store.list("")).isEmpty();
    }

    @Test
    public void deletedObjectsDisappearFromTheListing() {
        store.put("a/1", bytes("1"));
        store.put("a/2", bytes("2"));
        store.delete("a/1");

        assertThat(store.list("a/")).containsExactly("a/2");
    }

    @Test
    public void deletePrefixDeletesExactlyTheObjectsStartingWithThePrefixAndCountsThem() {
        store.put("a/b/x", bytes("1"));
        store.put("a/b/y/z", bytes("2"));
        store.put("a/bc/x", bytes("3"));
        store.put("a/b+", bytes("4"));

        assertThat(store.deletePrefix("a/b/")).isEqualTo(2);
        assertThat(store.list("")).containsExactly("a/b+", "a/bc/x");
        assertThat(store.deletePrefix("a/b/")).isZero();
    }

    @Test
    public void deleteAllDeletesExactlyTheGivenKeysAndSkipsAbsentOnes() {
        store.put("a/1", bytes("1"));
        store.put("a/2", bytes("2"));
        store.put("a/3", bytes("3"));

        store.deleteAll(java.util.List.of("a/1", "a/3", "a/absent"));
        assertThat(store.list("")).containsExactly("a/2");
        store.deleteAll(java.util.List.of());
        assertThat(store.list("")).containsExactly("a/2");
    }

    @Test
    public void deleteAllOfManyKeysDeletesThemAll() {
        // More than one batch of S3's DeleteObjects (1,000 keys).
        java.util.List<String> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 1_003; i++) {
            keys.add(String.format("m/%04d", i));
        }
        for (String k : keys.subList(0, 1_002)) {
            store.put(k, bytes("x"));
        }
        store.put("n/kept", bytes("y"));

        store.deleteAll(keys);
        assertThat(store.list("")).containsExactly("n/kept");
    }

    @Test
    public void deleteAllRefusesAnInvalidKeyBeforeDeletingAnything() {
        store.put("a/1", bytes("1"));
        assertThatThrownBy(() -> store.deleteAll(java.util.List.of("a/1", "../escape")))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("../escape");
        assertThat(store.list("")).containsExactly("a/1");
    }

    @Test
    public void deletePrefixOfTheEmptyPrefixEmptiesTheStore() {
        store.put("a/b/x", bytes("1"));
        store.put("c", bytes("2"));

        assertThat(store.deletePrefix("")).isEqualTo(2);
        assertThat(store.list("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a", "a//", "../", "a/../", "./x", "a b", "a\\b"})
    public void listAndDeletePrefixRejectInvalidPrefixes(String prefix) {
        store.put("a/b", bytes("kept"));

        assertThatThrownBy(() -> store.list(prefix))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining(prefix);
        assertThatThrownBy(() -> store.deletePrefix(prefix))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining(prefix);
        assertThat(store.list("")).containsExactly("a/b");
    }

    // ---------------------------------------------------------------- buffers

    @Test
    public void putStoresOnlyTheBytesFromPositionToLimit() {
        ByteBuffer b = bytes("xxHELLOyy");
        b.position(2).limit(7);

        store.put("k", b);

        assertThat(text(store.get("k"))).isEqualTo("HELLO");
    }

    @Test
    public void putDoesNotMoveTheCallersPositionOrLimit() {
        ByteBuffer b = bytes("xxHELLOyy");
        b.position(2).limit(7);

        store.put("k", b);

        assertThat(b.position()).isEqualTo(2);
        assertThat(b.limit()).isEqualTo(7);
    }

    @Test
    public void laterChangesToTheCallersPositionAndLimitDoNotChangeTheStoredObject() {
        ByteBuffer b = bytes("xxHELLOyy");
        b.position(2).limit(7);
        store.put("k", b);

        b.limit(9).position(0);
        b.get(new byte[4]);

        assertThat(text(store.get("k"))).isEqualTo("HELLO");
    }

    @Test
    public void putAcceptsReadOnlyAndDirectBuffers() {
        ByteBuffer direct = ByteBuffer.allocateDirect(3);
        direct.put((byte) 'd').put((byte) 'i').put((byte) 'r').flip();
        store.put("direct", direct);
        store.put("ro", bytes("read-only").asReadOnlyBuffer());

        assertThat(text(store.get("direct"))).isEqualTo("dir");
        assertThat(text(store.get("ro"))).isEqualTo("read-only");
    }

    @Test
    public void returnedBuffersAreReadOnly() {
        store.put("k", bytes("abc"));

        ByteBuffer got = store.get("k");

        assertThat(got.isReadOnly()).isTrue();
        assertThatThrownBy(() -> got.put(0, (byte) 'z')).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(text(store.get("k"))).isEqualTo("abc");
    }

    @Test
    public void consumingAReturnedBufferDoesNotAffectLaterGets() {
        store.put("k", bytes("abc"));

        ByteBuffer first = store.get("k");
        first.get(new byte[3]);

        assertThat(first.remaining()).isZero();
        assertThat(text(store.get("k"))).isEqualTo("abc");
    }

    // ---------------------------------------------------------------- key validation

    public static Stream<Arguments> invalidKeys() {
        return Stream.of(
                Arguments.of("", "empty"),
                Arguments.of("/abs", "absolute"),
                Arguments.of("/", "absolute"),
                Arguments.of("/tmp/outside", "absolute"),
                Arguments.of("a/../b", "'..' segments"),
                Arguments.of("..", "'..' segments"),
                Arguments.of("../escape", "'..' segments"),
                Arguments.of("../outside/x", "'..' segments"),
                Arguments.of("a/../../outside", "'..' segments"),
                Arguments.of("a/..", "'..' segments"),
                Arguments.of("a//b", "empty path segment"),
                Arguments.of("a//../outside", "empty path segment"),
                Arguments.of("a/", "empty path segment"),
                Arguments.of("a/./b", "'.' segments"),
                Arguments.of("a/./../../x", "'.' segments"),
                Arguments.of(".", "'.' segments"),
                Arguments.of("a\\b", "character '\\'"),
                Arguments.of("..\\escape", "character '\\'"),
                Arguments.of("a b", "character ' '"),
                Arguments.of("a\tb", "U+0009"),
                Arguments.of("a\u0000b", "U+0000"),
                Arguments.of("a\nb", "U+000A"),
                Arguments.of("caf\u00e9", "U+00E9"),
                Arguments.of("a:b", "character ':'"),
                Arguments.of("C:/windows", "character ':'"),
                Arguments.of("#tmp-x", "character '#'"),
                Arguments.of("x".repeat(BlockKeys.MAX_KEY_LENGTH + 1), "longer than " + BlockKeys.MAX_KEY_LENGTH));
    }

    /**
     * Every operation rejects the key with an {@link InvalidKeyException} naming the key and the
     * reason, and the store is left as it was: the put stored nothing, the delete deleted nothing.
     */
    @ParameterizedTest
    @MethodSource("invalidKeys")
    public void everyOperationRejectsAnInvalidKeyNamingTheReasonAndChangesNothing(String key, String reason) {
        store.put("sentinel/0_0", bytes("kept"));
        List<Runnable> operations = List.of(
                () -> store.put(key, bytes("x")),
                () -> store.replace(key, bytes("x")),
                () -> store.get(key),
                () -> store.exists(key),
                () -> store.delete(key));
        for (Runnable op : operations) {
            assertThatThrownBy(op::run)
                    .isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining(reason)
                    .satisfies(e -> assertThat(((InvalidKeyException) e).key()).isEqualTo(key));
        }
        assertThat(store.list("")).containsExactly("sentinel/0_0");
        assertThat(text(store.get("sentinel/0_0"))).isEqualTo("kept");
    }

    @Test
    public void aNullKeyIsRejectedAsInvalid() {
        assertThatThrownBy(() -> store.put(null, bytes("x"))).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store.get(null)).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store.exists(null)).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store.delete(null)).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> store.list(null)).isInstanceOf(InvalidKeyException.class);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    public void aKeyOfExactlyTheMaximumLengthIsAccepted() {
        StringBuilder key = new StringBuilder();
        while (key.length() < BlockKeys.MAX_KEY_LENGTH) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append("s".repeat(Math.min(100, BlockKeys.MAX_KEY_LENGTH - key.length())));
        }
        String k = key.toString();
        assertThat(k).hasSize(BlockKeys.MAX_KEY_LENGTH);

        store.put(k, bytes("long"));

        assertThat(text(store.get(k))).isEqualTo("long");
        assertThat(store.list("")).containsExactly(k);
    }

    @Test
    public void keysMayUseEveryAllowedCharacter() {
        String key = "AZaz09._-=+/...x/.hidden";
        store.put(key, bytes("ok"));

        assertThat(text(store.get(key))).isEqualTo("ok");
        assertThat(store.list("AZ")).containsExactly(key);
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    public void ofConcurrentPutsOfOneKeyExactlyOneSucceedsAndItsObjectStays() throws Exception {
        requireCapability(StoreCapability.ATOMIC_CONDITIONAL_PUTS, "deciding concurrent puts of one key atomically");
        int writers = 6;
        int rounds = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < rounds; round++) {
                String key = "once/" + round + "_0";
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    String value = "writer " + w + " " + "x".repeat(w * 1000);
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            store.put(key, bytes(value));
                            return true;
                        } catch (BlockExistsException e) {
                            assertThat(e.key()).isEqualTo(key);
                            return false;
                        }
                    }));
                }
                start.countDown();
                List<Integer> winners = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    if (results.get(w).get(2, TimeUnit.MINUTES)) {
                        winners.add(w);
                    }
                }
                assertThat(winners).as("writers whose put of %s succeeded", key).hasSize(1);
                int winner = winners.get(0);
                assertThat(text(store.get(key))).isEqualTo("writer " + winner + " " + "x".repeat(winner * 1000));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list("once/")).hasSize(rounds);
    }

    @Test
    public void concurrentWritersAndReadersOfOneKeyNeverObserveAPartialObject() throws Exception {
        int writers = 3;
        int writesEach = 60;
        int readers = 2;
        int readsEach = 150;
        int n = 96; // 96x96 doubles: ~72 KiB, more than one write() or page
        ByteBuffer[] encoded = new ByteBuffer[writers];
        Set<Double> written = ConcurrentHashMap.newKeySet();
        for (int w = 0; w < writers; w++) {
            double[] data = new double[n * n];
            Arrays.fill(data, w + 1.5);
            written.add(w + 1.5);
            encoded[w] = BlockCodec.encode(Block.wrap(n, n, data));
        }
        store.put("race/0_0", encoded[0].duplicate());

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(writers + readers);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                ByteBuffer mine = encoded[w];
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < writesEach; i++) {
                        store.replace("race/0_0", mine.duplicate());
                    }
                    return writesEach;
                }));
            }
            for (int r = 0; r < readers; r++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int i = 0; i < readsEach; i++) {
                        Block b = BlockCodec.decode("race/0_0", store.get("race/0_0")); // verifies the checksum
                        assertThat(b.rows()).isEqualTo(n);
                        assertThat(b.cols()).isEqualTo(n);
                        double first = b.data()[0];
                        assertThat(written).contains(first);
                        for (double v : b.data()) {
                            if (v != first) {
                                throw new AssertionError("block mixes values " + first + " and " + v);
                            }
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(2, TimeUnit.MINUTES);
            }
            assertThat(total).isEqualTo(writers * writesEach + readers * readsEach);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list("race/")).containsExactly("race/0_0");
    }

    @Test
    public void concurrentPutsAndDeletesOfSiblingKeysAllSucceed() throws Exception {
        int threads = 3;
        int rounds = 150;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "dir/sub/k" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < rounds; i++) {
                        String value = key + "#" + i;
                        store.put(key, bytes(value));
                        assertThat(text(store.get(key))).isEqualTo(value);
                        assertThat(store.delete(key)).isTrue();
                    }
                    return rounds;
                }));
            }
            Callable<Integer> lister = () -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    for (String k : store.list("dir/")) {
                        assertThat(k).matches("dir/sub/k[0-9]");
                    }
                }
                return rounds;
            };
            results.add(pool.submit(lister));
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(2, TimeUnit.MINUTES);
            }
            assertThat(total).isEqualTo((threads + 1) * rounds);
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list("")).isEmpty();
    }
}

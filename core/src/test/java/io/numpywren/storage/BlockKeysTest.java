package io.numpywren.storage;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class BlockKeysTest {
    private static final Path ROOT = Path.of("/srv/numpywren/store-root").toAbsolutePath();

    // ---- generated inputs: a fixed seed per test, so every run checks the same cases ----

    private static final String SEGMENT_CHARS =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-=+";
    private static final String KEY_LIKE_CHARS = "a./_\\ b";
    private static final List<String> KEY_LIKE_SEGMENTS = List.of("a", "..", ".", "...", "b.c", "", "x_y", "..a", "a..");

    /** A size in [min, max], with the smallest sizes drawn more often (they find most edge cases). */
    private static int size(SplittableRandom random, int min, int max) {
        return random.nextInt(4) == 0
                ? random.nextInt(min, Math.min(max, min + 2) + 1)
                : random.nextInt(min, max + 1);
    }

    private static String stringOf(SplittableRandom random, String alphabet, int minLength, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = size(random, minLength, maxLength); i > 0; i--) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    /** One to eight characters of {@code A-Z a-z 0-9 . _ - = +}, never "." or "..". */
    private static String validSegment(SplittableRandom random) {
        while (true) {
            String segment = stringOf(random, SEGMENT_CHARS, 1, 8);
            if (!segment.equals(".") && !segment.equals("..")) {
                return segment;
            }
        }
    }

    /** One to eight valid segments joined by '/'. */
    private static String validKey(SplittableRandom random) {
        List<String> segments = new ArrayList<>();
        for (int i = size(random, 1, 8); i > 0; i--) {
            segments.add(validSegment(random));
        }
        return String.join("/", segments);
    }

    private static String keyLikeSegments(SplittableRandom random) {
        List<String> segments = new ArrayList<>();
        for (int i = size(random, 1, 6); i > 0; i--) {
            segments.add(KEY_LIKE_SEGMENTS.get(random.nextInt(KEY_LIKE_SEGMENTS.size())));
        }
        return String.join("/", segments);
    }

    /** Strings that look like keys, with many dots and slashes, most of them invalid. */
    private static String keyLikeString(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 -> stringOf(random, KEY_LIKE_CHARS, 0, 14);
            case 1 -> keyLikeSegments(random);
            default -> "/" + keyLikeSegments(random);
        };
    }

    /** The input as a Java string literal, so that a failing case can be pasted into a test. */
    private static String show(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c >= 32 && c < 127) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    // ---- properties ----

    @Test
    @DisplayName("any key validate() accepts stays inside the root when resolved and normalized")
    void anyAcceptedKeyStaysInsideTheRoot() {
        SplittableRandom random = new SplittableRandom(0x5EED_B10C_0001L);
        int tries = 1_000;
        int accepted = 0;
        for (int trial = 0; trial < tries; trial++) {
            String key = keyLikeString(random);
            String input = "trial " + trial + ", key " + show(key);
            String returned;
            try {
                returned = BlockKeys.validate(key);
            } catch (InvalidKeyException e) {
                continue;
            } catch (RuntimeException e) {
                throw new AssertionError(input + ": validate threw " + e, e);
            }
            accepted++;
            assertThat(returned).as("%s", input).isSameAs(key);
            Path resolved = ROOT.resolve(key).normalize();
            assertThat(resolved).as("%s", input).startsWithRaw(ROOT);
            assertThat(resolved).as("%s", input).isNotEqualTo(ROOT);
            assertThat(resolved).as("%s", input).isEqualTo(ROOT.resolve(key));
        }
        // the property must not hold vacuously: a fair share of the generated keys is accepted
        assertThat(100.0 * accepted / tries).as("percentage of generated keys accepted").isGreaterThan(5.0);
    }

    @Test
    void everyKeyMadeOfValidSegmentsIsAcceptedAndResolvesBelowTheRootUnchanged() {
        SplittableRandom random = new SplittableRandom(0x5EED_B10C_0002L);
        for (int trial = 0; trial < 500; trial++) {
            String key = validKey(random);
            String input = "trial " + trial + ", key " + show(key);

            assertThat(BlockKeys.validate(key)).as("%s", input).isEqualTo(key);
            assertThat(BlockKeys.validatePrefix(key)).as("%s", input).isEqualTo(key);
            assertThat(BlockKeys.validatePrefix(key + "/")).as("%s", input).isEqualTo(key + "/");

            Path resolved = ROOT.resolve(key);
            assertThat(resolved.normalize()).as("%s", input).isEqualTo(resolved);
            assertThat(resolved).as("%s", input).startsWithRaw(ROOT);
            assertThat(ROOT.relativize(resolved).getNameCount()).as("%s", input).isEqualTo(key.split("/").length);
        }
    }

    @Test
    void aDotDotSegmentAnywhereInAnOtherwiseValidKeyIsRejected() {
        SplittableRandom random = new SplittableRandom(0x5EED_B10C_0003L);
        for (int trial = 0; trial < 500; trial++) {
            String key = validKey(random);
            int where = random.nextInt(0, 21);
            List<String> segments = new ArrayList<>(List.of(key.split("/")));
            segments.add(where % (segments.size() + 1), "..");
            String bad = String.join("/", segments);
            String input = "trial " + trial + ", key " + show(bad);

            assertThat(catchThrowable(() -> BlockKeys.validate(bad))).as("%s", input)
                    .isInstanceOf(InvalidKeyException.class)
                    .hasMessageContaining("'..' segments are not allowed");
            assertThat(catchThrowable(() -> BlockKeys.validatePrefix(bad + "/"))).as("prefix of %s", input)
                    .isInstanceOf(InvalidKeyException.class);
        }
    }

    @Test
    void anyStringWithADotDotSegmentIsRejected() {
        SplittableRandom random = new SplittableRandom(0x5EED_B10C_0004L);
        for (int trial = 0; trial < 500; trial++) {
            String before = keyLikeString(random);
            String after = keyLikeString(random);
            boolean leading = random.nextBoolean();
            boolean trailing = random.nextBoolean();
            String bad = (leading ? before + "/" : "") + ".." + (trailing ? "/" + after : "");

            assertThat(catchThrowable(() -> BlockKeys.validate(bad))).as("trial %d, key %s", trial, show(bad))
                    .isInstanceOf(InvalidKeyException.class);
        }
    }

    @Test
    void validateSegmentRejectsSlashesEmptyAndDotSegmentsNamingWhatWasChecked() {
        assertThatThrownBy(() -> BlockKeys.validateSegment("a/b", "matrix name"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("matrix name must not contain '/'");
        assertThatThrownBy(() -> BlockKeys.validateSegment("", "matrix name"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("matrix name is empty");
        assertThatThrownBy(() -> BlockKeys.validateSegment(null, "namespace"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("namespace is empty");
        assertThatThrownBy(() -> BlockKeys.validateSegment("..", "matrix name"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> BlockKeys.validateSegment(".", "matrix name"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("'.'");
        assertThat(BlockKeys.validateSegment("A_1", "matrix name")).isEqualTo("A_1");
    }

    @Test
    void validatePrefixAcceptsTheEmptyPrefixATrailingSlashAndPartialSegments() {
        assertThat(BlockKeys.validatePrefix("")).isEmpty();
        assertThat(BlockKeys.validatePrefix("a/")).isEqualTo("a/");
        assertThat(BlockKeys.validatePrefix("a/b")).isEqualTo("a/b");
        assertThat(BlockKeys.validatePrefix("a/.")).isEqualTo("a/.");
    }

    @Test
    void validatePrefixRejectsWhatCouldEscapeTheRoot() {
        for (String bad : List.of("/a", "a//b", "../", "a/../", "..", "./a", "a\\b")) {
            assertThatThrownBy(() -> BlockKeys.validatePrefix(bad))
                    .as(bad).isInstanceOf(InvalidKeyException.class).hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> BlockKeys.validatePrefix(null))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("prefix is null");
        assertThatThrownBy(() -> BlockKeys.validatePrefix("p".repeat(BlockKeys.MAX_KEY_LENGTH + 1)))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("longer than");
    }

    @Test
    void theOffsetOfABadCharacterIsReported() {
        assertThatThrownBy(() -> BlockKeys.validate("ab/c d"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("' ' at offset 4");
        assertThatThrownBy(() -> BlockKeys.validate("ab//c"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("empty path segment at offset 3");
    }
}

package io.numpywren.storage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockKeysTest {
    private static final Path ROOT = Path.of("/srv/numpywren/store-root").toAbsolutePath();

    @Provide
    Arbitrary<String> validSegments() {
        return Arbitraries.strings()
                .withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
                .withChars('.', '_', '-', '=', '+')
                .ofMinLength(1).ofMaxLength(8)
                .filter(s -> !s.equals(".") && !s.equals(".."));
    }

    @Provide
    Arbitrary<String> validKeys() {
        return validSegments().list().ofMinSize(1).ofMaxSize(8).map(l -> String.join("/", l));
    }

    /** Strings that look like keys, with many dots and slashes, most of them invalid. */
    @Provide
    Arbitrary<String> keyLikeStrings() {
        Arbitrary<String> fromAlphabet = Arbitraries.strings().withChars('a', '.', '/', '_', '\\', ' ', 'b')
                .ofMinLength(0).ofMaxLength(14);
        Arbitrary<String> fromSegments = Arbitraries.of("a", "..", ".", "...", "b.c", "", "x_y", "..a", "a..")
                .list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("/", l));
        Arbitrary<String> absolute = fromSegments.map(s -> "/" + s);
        return Arbitraries.oneOf(fromAlphabet, fromSegments, absolute);
    }

    @Property(tries = 1000)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    @Label("any key validate() accepts stays inside the root when resolved and normalized")
    void anyAcceptedKeyStaysInsideTheRoot(@ForAll("keyLikeStrings") String key) {
        boolean accepted;
        try {
            assertThat(BlockKeys.validate(key)).isSameAs(key);
            accepted = true;
        } catch (InvalidKeyException e) {
            accepted = false;
        }
        Statistics.collect(accepted ? "accepted" : "rejected");
        if (accepted) {
            Path resolved = ROOT.resolve(key).normalize();
            assertThat(resolved).startsWithRaw(ROOT);
            assertThat(resolved).isNotEqualTo(ROOT);
            assertThat(resolved).isEqualTo(ROOT.resolve(key));
        }
        // the property must not hold vacuously: a fair share of the generated keys is accepted
        Statistics.coverage(checker -> checker.check("accepted").percentage(p -> p > 5));
    }

    @Property(tries = 500)
    void everyKeyMadeOfValidSegmentsIsAcceptedAndResolvesBelowTheRootUnchanged(@ForAll("validKeys") String key) {
        assertThat(BlockKeys.validate(key)).isEqualTo(key);
        assertThat(BlockKeys.validatePrefix(key)).isEqualTo(key);
        assertThat(BlockKeys.validatePrefix(key + "/")).isEqualTo(key + "/");

        Path resolved = ROOT.resolve(key);
        assertThat(resolved.normalize()).isEqualTo(resolved);
        assertThat(resolved).startsWithRaw(ROOT);
        assertThat(ROOT.relativize(resolved).getNameCount()).isEqualTo(key.split("/").length);
    }

    @Property(tries = 500)
    void aDotDotSegmentAnywhereInAnOtherwiseValidKeyIsRejected(
            @ForAll("validKeys") String key, @ForAll @IntRange(min = 0, max = 20) int where) {
        List<String> segments = new ArrayList<>(List.of(key.split("/")));
        segments.add(where % (segments.size() + 1), "..");
        String bad = String.join("/", segments);

        assertThatThrownBy(() -> BlockKeys.validate(bad))
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("'..' segments are not allowed");
        assertThatThrownBy(() -> BlockKeys.validatePrefix(bad + "/")).isInstanceOf(InvalidKeyException.class);
    }

    @Property(tries = 500)
    void anyStringWithADotDotSegmentIsRejected(
            @ForAll("keyLikeStrings") String before, @ForAll("keyLikeStrings") String after,
            @ForAll boolean leading, @ForAll boolean trailing) {
        String bad = (leading ? before + "/" : "") + ".." + (trailing ? "/" + after : "");

        assertThatThrownBy(() -> BlockKeys.validate(bad)).isInstanceOf(InvalidKeyException.class);
    }

    @Example
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

    @Example
    void validatePrefixAcceptsTheEmptyPrefixATrailingSlashAndPartialSegments() {
        assertThat(BlockKeys.validatePrefix("")).isEmpty();
        assertThat(BlockKeys.validatePrefix("a/")).isEqualTo("a/");
        assertThat(BlockKeys.validatePrefix("a/b")).isEqualTo("a/b");
        assertThat(BlockKeys.validatePrefix("a/.")).isEqualTo("a/.");
    }

    @Example
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

    @Example
    void theOffsetOfABadCharacterIsReported() {
        assertThatThrownBy(() -> BlockKeys.validate("ab/c d"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("' ' at offset 4");
        assertThatThrownBy(() -> BlockKeys.validate("ab//c"))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("empty path segment at offset 3");
    }
}

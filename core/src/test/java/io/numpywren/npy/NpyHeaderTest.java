package io.numpywren.npy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static io.numpywren.npy.NpyTestFiles.copyFixture;
import static io.numpywren.npy.NpyTestFiles.fixtureBytes;
import static io.numpywren.npy.NpyTestFiles.npyFile;
import static io.numpywren.npy.NpyTestFiles.zerosF8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NpyHeaderTest {
    private static final Path SOURCE = Path.of("source.npy");

    @TempDir
    Path dir;

    private NpyFileHeader read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return NpyHeader.read(channel, file);
        }
    }

    private NpyFileHeader read(byte[] bytes) throws IOException {
        return read(NpyTestFiles.write(dir.resolve("crafted.npy"), bytes));
    }

    /** Every numpy-written version 1.0 fixture: our formatting of its header gives numpy's exact bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"f8_c_formula_37x23.npy", "f8_f_formula_37x23.npy", "f4_c_random_33x47.npy",
            "f4_f_random_33x47.npy", "f8be_c_formula_37x23.npy", "f4be_f_formula_37x23.npy", "f8_1d_formula_50.npy"})
    void formatsHeadersExactlyAsNumpyDoes(String fixture) throws IOException {
        NpyFileHeader fileHeader = read(copyFixture(fixture, dir));
        byte[] numpyPreamble = Arrays.copyOf(fixtureBytes(fixture), (int) fileHeader.dataOffset());

        assertThat(fileHeader.majorVersion()).isEqualTo(1);
        assertThat(fileHeader.header().toBytes()).isEqualTo(numpyPreamble);
    }

    @ParameterizedTest
    @CsvSource({"f8_c_formula_5x4_v2.npy, 2, false", "f8_f_formula_5x4_v3.npy, 3, true"})
    void readsVersions2And3(String fixture, int version, boolean fortran) throws IOException {
        NpyFileHeader fileHeader = read(copyFixture(fixture, dir));

        assertThat(fileHeader.majorVersion()).isEqualTo(version);
        assertThat(fileHeader.header()).isEqualTo(NpyHeader.of(NpyDType.FLOAT64_LITTLE, fortran, 5, 4));
        assertThat(fileHeader.dataOffset() % 64).isZero();
    }

    @Test
    void oneDimensionalShapeIsAColumn() {
        NpyHeader header = NpyHeader.parse("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }", SOURCE);

        assertThat(header.rows()).isEqualTo(7);
        assertThat(header.cols()).isEqualTo(1);
        assertThat(header.dataBytes()).isEqualTo(28);
        assertThat(header.dictionary()).isEqualTo("{'descr': '<f4', 'fortran_order': False, 'shape': (7,), }");
    }

    @Test
    void acceptsOtherKeyOrderQuotesWhitespaceAndPython2Longs() {
        NpyHeader header = NpyHeader.parse("{ \"shape\" : (3L, 4L) ,\n'fortran_order':True,'descr':'>f8'}  \n", SOURCE);

        assertThat(header).isEqualTo(NpyHeader.of(NpyDType.FLOAT64_BIG, true, 3, 4));
    }

    @Test
    void padsWithAWholeAlignmentWhenTheTextEndsOnABoundaryAsNumpyDoes() {
        // numpy 1.24: _wrap_header('x' * 53, (1, 0)) is 128 bytes, its length field 118.
        byte[] wrapped = NpyHeader.wrap("x".repeat(53));

        assertThat(wrapped).hasSize(128);
        assertThat(wrapped[8]).isEqualTo((byte) 118);
        assertThat(new String(wrapped, 63, 65, StandardCharsets.ISO_8859_1)).isEqualTo(" ".repeat(64) + "\n");
    }

    @Test
    void switchesToVersion2WhenTheHeaderOutgrowsTwoLengthBytes() {
        // numpy 1.24: _wrap_header_guess_version('x' * 70000) is 70016 bytes of version 2.0, length 70004.
        byte[] wrapped = NpyHeader.wrap("x".repeat(70000));

        assertThat(wrapped).hasSize(70016);
        assertThat(Arrays.copyOfRange(wrapped, 6, 12)).containsExactly(2, 0, 0x74, 0x11, 0x01, 0x00);
    }

    @Test
    void badMagicIsRejected() {
        byte[] csv = "1.0,2.0\n3.0,4.0\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> read(csv)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("crafted.npy: not a .npy file: bad magic");
    }

    @Test
    void aTinyFileIsRejected() {
        assertThatThrownBy(() -> read(new byte[] {(byte) 0x93, 'N', 'U'})).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("crafted.npy: not a .npy file: only 3 bytes long");
    }

    @ParameterizedTest
    @CsvSource({"4, 0", "1, 1", "0, 0"})
    void unsupportedVersionsAreRejected(int major, int minor) {
        byte[] file = npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", zerosF8(1));
        file[6] = (byte) major;
        file[7] = (byte) minor;

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("unsupported .npy format version " + major + "." + minor
                        + " (supported: 1.0, 2.0, 3.0)");
    }

    @Test
    void aHeaderThatDoesNotParseIsRejectedWithItsText() {
        byte[] file = npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4, }", zerosF8(12));

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("the header does not parse (unexpected character '}' at character 57)")
                .hasMessageContaining("'shape': (3, 4, }");
    }

    @Test
    void aHeaderWithAnExpressionIsNotEvaluated() {
        byte[] file = npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (__import__('os'), 4)}", zerosF8(4));

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("the header does not parse ('__import__' is not a literal");
    }

    @Test
    void wrongKeysAreNamed() {
        byte[] file = npyFile(1, "{'descr': '<f8', 'shape': (2, 2), 'order': 'C'}", zerosF8(4));

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("the header has keys ['descr', 'order', 'shape'], expected exactly descr, "
                        + "fortran_order and shape");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 2)}       | fortran_order is not True or False: 0",
            "{'descr': '<f8', 'fortran_order': False, 'shape': [2, 2]}   | shape is not a tuple of integers: [2, 2]",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, -2)}  | shape is not a tuple of non-negative 64-bit integers: (2, -2)",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 4)}   | the array of shape (0, 4) is empty",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4)}      | shape is not a tuple of integers: 4",
            "{'descr': '=f8', 'fortran_order': False, 'shape': (2, 2)}   | unsupported dtype '=f8' (floating point, 8 bytes, native byte order",
            "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2)}   | unsupported dtype '<f2' (floating point, 2 bytes)",
            "{'descr': 7, 'fortran_order': False, 'shape': (2, 2)}       | descr is not a dtype descriptor: 7",
            "['descr', '<f8']                                            | the header is not a dictionary"})
    void invalidValuesAreExplained(String dictionary, String problem) {
        assertThatThrownBy(() -> NpyHeader.parse(dictionary, SOURCE)).isInstanceOf(NpyFormatException.class)
                .hasMessageStartingWith("source.npy: " + problem);
    }

    @Test
    void aShapeTooLargeForAFileIsRejected() {
        assertThatThrownBy(() -> NpyHeader.parse(
                "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 2)}", SOURCE))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("holds more than 2^63 bytes");
    }

    @Test
    void aHeaderLongerThanTheFileIsTruncation() {
        byte[] file = npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", zerosF8(1));
        file[8] = (byte) 0xFF;
        file[9] = (byte) 0x7F;

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("truncated: the header is 32767 bytes long but the file ends");
    }

    @Test
    void anAbsurdHeaderLengthIsRefusedBeforeReadingIt() {
        byte[] file = npyFile(2, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", zerosF8(1));
        file[8] = 0;
        file[9] = 0;
        file[10] = 0;
        file[11] = (byte) 0x80; // 2 GiB

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("header length 2147483648 exceeds");
    }

    @Test
    void trailingBytesAfterTheDataAreRejected() {
        byte[] file = npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", zerosF8(3));

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("8 unexpected bytes after the data: shape (2, 1) of '<f8' needs 16 data bytes");
    }

    @Test
    void version3HeadersAreDecodedAsUtf8() {
        // Only a rejected header can hold non-ASCII text; the message shows it decoded.
        byte[] file = npyFile(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), '\u00e9t\u00e9': 1}",
                zerosF8(1));

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("the header has keys ['descr', 'fortran_order', 'shape', '\u00e9t\u00e9']");
    }

    @Test
    void version3HeadersMustBeValidUtf8() {
        byte[] file = npyFile(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }", zerosF8(1));
        file[12] = (byte) 0xC3; // a lone UTF-8 lead byte in place of '{'

        assertThatThrownBy(() -> read(file)).isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("the version 3.0 header is not valid UTF-8");
    }

    @Test
    void ofRejectsShapesThatAreNotMatrices() {
        assertThatThrownBy(() -> NpyHeader.of(NpyDType.FLOAT64_LITTLE, false, 2, 3, 4))
                .hasMessageContaining("a 3-D array of shape (2, 3, 4) is not supported");
        assertThatThrownBy(() -> NpyHeader.of(NpyDType.FLOAT64_LITTLE, false, 2, 0))
                .hasMessageContaining("is empty");
    }

    @Test
    void aHeaderNestedThousandsDeepIsRejectedWithAClearError() {
        String shape = "(".repeat(3_000) + "3" + ")".repeat(3_000);
        assertThatThrownBy(() -> NpyHeader.parse("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + "}", SOURCE))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("nested deeper than");
    }
}

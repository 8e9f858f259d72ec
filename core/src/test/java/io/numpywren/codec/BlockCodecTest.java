package io.numpywren.codec;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockCodecTest {
    private static final String KEY = "ns/A/1_2";

    private static Block randomBlock(int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        double[] data = new double[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(20) - 10);
        }
        return Block.wrap(rows, cols, data);
    }

    /** A copy of the encoded bytes, writable, little-endian, position 0. */
    private static ByteBuffer encoded(Block b, DType dtype) {
        ByteBuffer src = BlockCodec.encode(b, dtype);
        ByteBuffer copy = ByteBuffer.allocate(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(src.duplicate()).flip();
        return copy;
    }

    private static ByteBuffer resized(ByteBuffer b, int newLength) {
        ByteBuffer out = ByteBuffer.allocate(newLength).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer src = b.duplicate();
        src.limit(Math.min(src.limit(), newLength));
        out.put(src);
        out.position(0).limit(newLength);
        return out;
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"0,0", "1,1", "3,5", "1000,1", "1,1000", "7,3", "0,4", "4,0"})
    void float64BlocksRoundTripExactly(int rows, int cols) {
        Block b = randomBlock(rows, cols, 31L * rows + cols);

        ByteBuffer bytes = BlockCodec.encode(b, DType.FLOAT64);
        Block back = BlockCodec.decode(KEY, bytes);

        assertThat(bytes.remaining()).isEqualTo(BlockCodec.HEADER_BYTES + 8 * rows * cols);
        assertThat(back.rows()).isEqualTo(rows);
        assertThat(back.cols()).isEqualTo(cols);
        assertThat(back.data()).isEqualTo(b.data());
        assertThat(back).isEqualTo(b);
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"0,0", "1,1", "3,5", "1000,1", "7,3", "0,4"})
    void float32BlocksRoundTripToTheFloatRoundedValues(int rows, int cols) {
        Block b = randomBlock(rows, cols, 17L * rows + cols);

        ByteBuffer bytes = BlockCodec.encode(b, DType.FLOAT32);
        Block back = BlockCodec.decode(KEY, bytes);

        assertThat(bytes.remaining()).isEqualTo(BlockCodec.HEADER_BYTES + 4 * rows * cols);
        assertThat(back.rows()).isEqualTo(rows);
        assertThat(back.cols()).isEqualTo(cols);
        double[] expected = new double[b.data().length];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) b.data()[i];
        }
        assertThat(back.data()).isEqualTo(expected);
    }

    @Test
    void float32LosesPrecisionThatFloat64Keeps() {
        Block b = Block.ofRows(new double[] {0.1, 1.0 / 3.0});

        assertThat(BlockCodec.decode(KEY, BlockCodec.encode(b, DType.FLOAT32))).isNotEqualTo(b);
        assertThat(BlockCodec.decode(KEY, BlockCodec.encode(b, DType.FLOAT64))).isEqualTo(b);
    }

    @Test
    void specialValuesRoundTripBitForBitInFloat64() {
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0,
                Double.MIN_VALUE, Double.MAX_VALUE, -Double.MIN_NORMAL};
        Block b = Block.wrap(2, 4, special.clone());

        Block back = BlockCodec.decode(KEY, BlockCodec.encode(b));

        for (int i = 0; i < special.length; i++) {
            assertThat(Double.doubleToRawLongBits(back.data()[i])).as("entry %d", i)
                    .isEqualTo(Double.doubleToRawLongBits(special[i]));
        }
    }

    @Test
    void theOneArgumentEncodeWritesFloat64() {
        Block b = randomBlock(2, 3, 1);

        assertThat(BlockCodec.header(KEY, BlockCodec.encode(b)).dtype()).isEqualTo(DType.FLOAT64);
    }

    @Test
    void theHeaderLayoutIsTheDocumentedOne() {
        Block b = Block.ofRows(new double[] {1.0, 2.0}, new double[] {3.0, 4.0}, new double[] {5.0, 6.0});
        ByteBuffer bytes = encoded(b, DType.FLOAT32);

        byte[] magic = new byte[4];
        bytes.duplicate().get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("NPWB");
        assertThat(bytes.getShort(4)).isEqualTo((short) 1);
        assertThat(bytes.get(6)).isEqualTo((byte) 2);
        assertThat(bytes.get(7)).isZero();
        assertThat(bytes.getInt(8)).isEqualTo(3);
        assertThat(bytes.getInt(12)).isEqualTo(2);
        // column-major little-endian payload
        assertThat(bytes.getFloat(20)).isEqualTo(1.0f);
        assertThat(bytes.getFloat(24)).isEqualTo(3.0f);
        assertThat(bytes.getFloat(28)).isEqualTo(5.0f);
        assertThat(bytes.getFloat(32)).isEqualTo(2.0f);

        BlockCodec.Header h = BlockCodec.header(KEY, bytes);
        assertThat(h.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(h.rows()).isEqualTo(3);
        assertThat(h.cols()).isEqualTo(2);
        assertThat(h.checksum()).isEqualTo(bytes.getInt(16));
    }

    @Test
    void encodeReturnsABufferPositionedAtZeroAndLimitedToTheObject() {
        ByteBuffer bytes = BlockCodec.encode(randomBlock(3, 2, 5), DType.FLOAT64);

        assertThat(bytes.position()).isZero();
        assertThat(bytes.limit()).isEqualTo(BlockCodec.HEADER_BYTES + 48);
    }

    @Test
    void decodingDoesNotMoveTheCallersPosition() {
        ByteBuffer bytes = BlockCodec.encode(randomBlock(3, 2, 5), DType.FLOAT64);

        BlockCodec.decode(KEY, bytes);
        BlockCodec.header(KEY, bytes);

        assertThat(bytes.position()).isZero();
        assertThat(bytes.limit()).isEqualTo(BlockCodec.HEADER_BYTES + 48);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void decodingWorksFromABufferWhosePositionIsNotZero(DType dtype) {
        Block b = randomBlock(5, 3, 9);
        ByteBuffer object = BlockCodec.encode(b, dtype);
        int offset = 13;
        ByteBuffer big = ByteBuffer.allocate(offset + object.remaining() + 11);
        for (int i = 0; i < big.capacity(); i++) {
            big.put(i, (byte) 0x5A); // garbage around the object
        }
        big.position(offset);
        big.put(object.duplicate());
        big.position(offset).limit(offset + object.remaining());

        Block back = BlockCodec.decode(KEY, big);
        Block viaReadOnly = BlockCodec.decode(KEY, big.asReadOnlyBuffer());
        Block viaSlice = BlockCodec.decode(KEY, big.slice());

        assertThat(back).isEqualTo(BlockCodec.decode(KEY, object));
        assertThat(viaReadOnly).isEqualTo(back);
        assertThat(viaSlice).isEqualTo(back);
        assertThat(BlockCodec.header(KEY, big).rows()).isEqualTo(5);
        assertThat(big.position()).isEqualTo(offset);
    }

    @Test
    void decodingWorksFromADirectBigEndianBuffer() {
        Block b = randomBlock(4, 4, 3);
        ByteBuffer object = BlockCodec.encode(b);
        ByteBuffer direct = ByteBuffer.allocateDirect(object.remaining() + 3).order(ByteOrder.BIG_ENDIAN);
        direct.position(3);
        direct.put(object.duplicate());
        direct.position(3);

        assertThat(BlockCodec.decode(KEY, direct)).isEqualTo(b);
    }

    // ---------------------------------------------------------------- corruption

    @Test
    void aFlippedPayloadByteIsACorruptBlockNamingTheKeyAndTheChecksum() {
        ByteBuffer bytes = encoded(randomBlock(3, 5, 2), DType.FLOAT64);
        int at = BlockCodec.HEADER_BYTES + 37;
        bytes.put(at, (byte) (bytes.get(at) ^ 0x10));

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining("checksum")
                .satisfies(e -> assertThat(((CorruptBlockException) e).key()).isEqualTo(KEY));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everySingleBitFlipInThePayloadOrChecksumIsDetected(DType dtype) {
        ByteBuffer clean = encoded(randomBlock(2, 3, 4), dtype);
        int undetected = 0;
        int tried = 0;
        for (int at = 16; at < clean.limit(); at++) {
            for (int bit = 0; bit < 8; bit++) {
                ByteBuffer bytes = resized(clean, clean.limit());
                bytes.put(at, (byte) (bytes.get(at) ^ (1 << bit)));
                tried++;
                try {
                    BlockCodec.decode(KEY, bytes);
                    undetected++;
                } catch (CorruptBlockException e) {
                    assertThat(e).hasMessageContaining("checksum");
                }
            }
        }
        assertThat(tried).isEqualTo(8 * (clean.limit() - 16));
        assertThat(undetected).isZero();
    }

    @Test
    void aBadMagicNumberIsReported() {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.put(0, (byte) 'X');

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("magic");
    }

    @Test
    void anUnsupportedVersionIsReportedWithItsNumber() {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.putShort(4, (short) 2);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("version 2");
    }

    @Test
    void anUnknownDtypeCodeIsReportedWithItsValue() {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.put(6, (byte) 0xC8);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("unknown dtype code 200");
    }

    @Test
    void aNonZeroReservedByteIsReported() {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.put(7, (byte) 1);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("reserved");
    }

    @Test
    void aTruncatedPayloadIsReportedWithBothSizes() {
        ByteBuffer clean = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        ByteBuffer bytes = resized(clean, clean.limit() - 1);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("payload is 31 bytes")
                .hasMessageContaining("needs 32");
    }

    @Test
    void extraTrailingBytesAreReported() {
        ByteBuffer clean = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        ByteBuffer bytes = resized(clean, clean.limit() + 8);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("payload is 40 bytes")
                .hasMessageContaining("needs 32");
    }

    @Test
    void aFloat64PayloadLabelledFloat32IsReportedAsTheWrongSize() {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.put(6, (byte) DType.FLOAT32.code());

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("float32").hasMessageContaining("needs 16");
    }

    @ParameterizedTest
    @CsvSource({"-1,2", "2,-1", "-2147483648,1"})
    void aNegativeShapeIsReported(int rows, int cols) {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.putInt(8, rows);
        bytes.putInt(12, cols);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY).hasMessageContaining("negative shape " + rows + "x" + cols);
    }

    @Test
    void aHugeClaimedShapeIsReportedAsAPayloadMismatchWithoutAllocating() {
        ByteBuffer bytes = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        bytes.putInt(8, Integer.MAX_VALUE);
        bytes.putInt(12, Integer.MAX_VALUE);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("payload is 32 bytes");
    }

    @ParameterizedTest
    @CsvSource({"0", "1", "19"})
    void aBufferShorterThanTheHeaderIsReported(int length) {
        ByteBuffer clean = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        ByteBuffer bytes = resized(clean, length);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining(KEY)
                .hasMessageContaining("only " + length + " bytes")
                .hasMessageContaining("20-byte header");
    }

    @Test
    void theHeaderCheckCountsFromThePositionNotFromZero() {
        ByteBuffer clean = encoded(randomBlock(2, 2, 1), DType.FLOAT64);
        ByteBuffer bytes = clean.duplicate();
        bytes.position(clean.limit() - 10);

        assertThatThrownBy(() -> BlockCodec.decode(KEY, bytes))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("only 10 bytes");
    }
}

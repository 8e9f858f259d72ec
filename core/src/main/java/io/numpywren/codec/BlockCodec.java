package io.numpywren.codec;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

/**
 * The binary format of one stored block.
 *
 * <pre>
 * offset size  field
 *      0    4  magic "NPWB"
 *      4    2  format version (1), little-endian
 *      6    1  dtype code (1 = float64, 2 = float32)
 *      7    1  reserved, 0
 *      8    4  rows, little-endian int32
 *     12    4  cols, little-endian int32
 *     16    4  CRC32C of the payload
 *     20       payload: rows*cols values, column-major, little-endian
 * </pre>
 *
 * Decoding verifies every field and the checksum; any mismatch is a
 * {@link CorruptBlockException} naming the key.
 */
public final class BlockCodec {
    public static final int HEADER_BYTES = 20;
    public static final int VERSION = 1;
    private static final int MAGIC = 0x4257504E; // "NPWB" read as a little-endian int
    /** 32 KiB: small enough to stay in the first-level cache while it is summed. */
    private static final int CHECKSUM_CHUNK_VALUES = 4096;

    private BlockCodec() {
    }

    public static ByteBuffer encode(Block block) {
        return encode(block, DType.FLOAT64);
    }

    public static ByteBuffer encode(Block block, DType dtype) {
        long payload = block.size() * dtype.bytes();
        if (HEADER_BYTES + payload > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + block.shapeString() + " block is too large for one stored object");
        }
        ByteBuffer out = ByteBuffer.allocate((int) (HEADER_BYTES + payload)).order(ByteOrder.LITTLE_ENDIAN);
        out.position(HEADER_BYTES);
        ByteBuffer body = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        double[] data = block.data();
        if (dtype == DType.FLOAT64) {
            body.asDoubleBuffer().put(data);
        } else {
            var floats = body.asFloatBuffer();
            for (double v : data) {
                floats.put((float) v);
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        out.putInt(0, MAGIC);
        out.putShort(4, (short) VERSION);
        out.put(6, (byte) dtype.code());
        out.put(7, (byte) 0);
        out.putInt(8, block.rows());
        out.putInt(12, block.cols());
        out.putInt(16, (int) crc.getValue());
        out.position(0);
        return out;
    }

    /** The size of a block's encoding: header and payload. */
    public static long encodedBytes(Block block, DType dtype) {
        return HEADER_BYTES + block.size() * dtype.bytes();
    }

    /** The CRC32C a float64 encoding of a block carries in its header, and whether every value is finite. */
    public record Float64Digest(int checksum, boolean finite) {
    }

    /**
     * The {@link Float64Digest} of {@code block}, computed without building the encoding: the
     * values pass through a small buffer that stays in cache, and are scanned for NaN and
     * infinity while there, so a multi-megabyte block is read from memory once, not twice.
     */
    public static Float64Digest float64Digest(Block block) {
        double[] data = block.data();
        ByteBuffer chunk = ByteBuffer.allocate(CHECKSUM_CHUNK_VALUES * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        var values = chunk.asDoubleBuffer();
        CRC32C crc = new CRC32C();
        boolean finite = true;
        for (int from = 0; from < data.length; from += CHECKSUM_CHUNK_VALUES) {
            int count = Math.min(CHECKSUM_CHUNK_VALUES, data.length - from);
            values.clear();
            values.put(data, from, count);
            crc.update(chunk.array(), 0, count * Double.BYTES);
            finite &= Block.allFinite(data, from, from + count);
        }
        return new Float64Digest((int) crc.getValue(), finite);
    }

    /** Reads the header only (no checksum), for listing tools and shape checks. */
    public static Header header(String key, ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = in.position();
        if (in.remaining() < HEADER_BYTES) {
            throw new CorruptBlockException(key, "only " + in.remaining() + " bytes, shorter than the "
                    + HEADER_BYTES + "-byte header");
        }
        if (in.getInt(start) != MAGIC) {
            throw new CorruptBlockException(key, "bad magic number (not a numpywren block)");
        }
        int version = Short.toUnsignedInt(in.getShort(start + 4));
        if (version != VERSION) {
            throw new CorruptBlockException(key, "unsupported block format version " + version
                    + " (this build reads version " + VERSION + ")");
        }
        int code = Byte.toUnsignedInt(in.get(start + 6));
        DType dtype = DType.fromCode(code);
        if (dtype == null) {
            throw new CorruptBlockException(key, "unknown dtype code " + code);
        }
        if (in.get(start + 7) != 0) {
            throw new CorruptBlockException(key, "reserved header byte is not zero");
        }
        int rows = in.getInt(start + 8);
        int cols = in.getInt(start + 12);
        if (rows < 0 || cols < 0) {
            throw new CorruptBlockException(key, "negative shape " + rows + "x" + cols);
        }
        long expected = (long) rows * cols * dtype.bytes();
        long actual = in.remaining() - HEADER_BYTES;
        if (expected != actual) {
            throw new CorruptBlockException(key, "payload is " + actual + " bytes but a " + rows + "x" + cols
                    + " " + dtype.numpyName() + " block needs " + expected);
        }
        return new Header(dtype, rows, cols, in.getInt(start + 16));
    }

    /** Decodes and verifies a block; {@code key} only names it in errors. */
    public static Block decode(String key, ByteBuffer bytes) {
        return decode(key, bytes, double[]::new);
    }

    /**
     * As {@link #decode(String, ByteBuffer)}, into an array from {@code allocator} (given the
     * number of values; it may return a used array of that length, which is overwritten).
     */
    public static Block decode(String key, ByteBuffer bytes, IntFunction<double[]> allocator) {
        Header header = header(key, bytes);
        ByteBuffer body = bytes.duplicate();
        body.position(body.position() + HEADER_BYTES);
        body = body.slice().order(ByteOrder.LITTLE_ENDIAN);
        CRC32C crc = new CRC32C();
        crc.update(body.duplicate());
        if ((int) crc.getValue() != header.checksum()) {
            throw new CorruptBlockException(key, String.format(
                    "checksum mismatch (stored %08x, computed %08x)", header.checksum(), (int) crc.getValue()));
        }
        double[] data = allocator.apply(Math.multiplyExact(header.rows(), header.cols()));
        if (header.dtype() == DType.FLOAT64) {
            body.asDoubleBuffer().get(data);
        } else {
            var floats = body.asFloatBuffer();
            for (int i = 0; i < data.length; i++) {
                data[i] = floats.get(i);
            }
        }
        return Block.wrap(header.rows(), header.cols(), data);
    }

    /** The fields of a block's header. */
    public record Header(DType dtype, int rows, int cols, int checksum) {
    }
}

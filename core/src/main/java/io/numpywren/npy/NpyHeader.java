package io.numpywren.npy;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The header of a .npy file (format versions 1.0, 2.0 and 3.0): element type, memory order and
 * shape. Parses headers the way numpy reads them and formats them byte for byte the way numpy
 * 1.24 writes them, so that a file can round-trip unchanged.
 *
 * <p>Only what can become a matrix is representable: float64/float32 and 1-D or 2-D shapes
 * with no empty dimension. A 1-D array of n values is an n x 1 column.
 */
public final class NpyHeader {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so the data starts on a 64-byte boundary (for memory mapping). */
    static final int ALIGNMENT = 64;
    /** numpy leaves room for the growth axis to reach this many digits, so headers can be rewritten in place. */
    static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Far beyond any header this class accepts; refuses to allocate what a corrupt length field claims. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final Set<String> EXPECTED_KEYS = Set.of("descr", "fortran_order", "shape");

    private final NpyDType dtype;
    private final boolean fortranOrder;
    private final long[] shape;

    private NpyHeader(NpyDType dtype, boolean fortranOrder, long[] shape) {
        this.dtype = dtype;
        this.fortranOrder = fortranOrder;
        this.shape = shape;
    }

    /** A header for a 1-D or 2-D array of the given type, order and (non-empty) shape. */
    public static NpyHeader of(NpyDType dtype, boolean fortranOrder, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        String problem = shapeProblem(shape);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        dataBytes(dtype, shape); // rejects shapes whose byte size overflows
        return new NpyHeader(dtype, fortranOrder, shape.clone());
    }

    public NpyDType dtype() {
        return dtype;
    }

    /** True when the data is in column-major (Fortran) order, false for row-major (C) order. */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** Rows of the matrix: the first dimension. */
    public long rows() {
        return shape[0];
    }

    /** Columns of the matrix: the second dimension, or 1 for a 1-D array. */
    public long cols() {
        return shape.length == 2 ? shape[1] : 1;
    }

    /** Bytes of data that follow the header. */
    public long dataBytes() {
        return dataBytes(dtype, shape);
    }

    private static long dataBytes(NpyDType dtype, long[] shape) {
        try {
            long n = dtype.itemSize();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape " + shapeRepr(shape) + " of " + dtype.descr()
                    + " holds more than 2^63 bytes");
        }
    }

    // ---------------------------------------------------------------- formatting

    /** The header dictionary exactly as numpy 1.24 writes it, before padding. */
    public String dictionary() {
        return "{'descr': '" + dtype.descr() + "', 'fortran_order': " + (fortranOrder ? "True" : "False")
                + ", 'shape': " + shapeRepr(shape) + ", }";
    }

    /**
     * Everything before the data, byte for byte as numpy 1.24's {@code np.save} writes it: magic,
     * version, header length, the dictionary, spare spaces for the growth axis (the first axis
     * in C order, the last in Fortran order), then spaces and a newline up to a multiple of 64.
     */
    public byte[] toBytes() {
        long growthAxis = fortranOrder ? shape[shape.length - 1] : shape[0];
        String spare = " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(growthAxis).length()));
        return wrap(dictionary() + spare);
    }

    /** numpy's {@code _wrap_header_guess_version}: version 1.0 unless the length needs 4 bytes (2.0). */
    static byte[] wrap(String header) {
        // Our headers are ASCII, so version 3.0 (for non-latin-1 text) is never needed.
        byte[] text = header.getBytes(StandardCharsets.ISO_8859_1);
        int major = 1;
        int lengthBytes = 2;
        int padded = paddedLength(text.length, MAGIC.length + 2 + lengthBytes);
        if (padded > 0xFFFF) {
            major = 2;
            lengthBytes = 4;
            padded = paddedLength(text.length, MAGIC.length + 2 + lengthBytes);
        }
        int prefix = MAGIC.length + 2 + lengthBytes;
        ByteBuffer out = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (lengthBytes == 2) {
            out.putShort((short) padded);
        } else {
            out.putInt(padded);
        }
        out.put(text);
        while (out.position() < out.limit() - 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /**
     * Text plus padding plus the final newline. Like numpy, adds a full 64 bytes of padding
     * (not zero) when the text already ends on a boundary.
     */
    private static int paddedLength(int textLength, int prefix) {
        int withNewline = textLength + 1;
        return withNewline + ALIGNMENT - (prefix + withNewline) % ALIGNMENT;
    }

    private static String shapeRepr(long[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return s.append(')').toString();
    }

    // ---------------------------------------------------------------- parsing

    /**
     * Reads and checks the header at the start of {@code channel}, including that the file holds
     * exactly the data the header describes. {@code file} only names the file in errors.
     */
    public static NpyFileHeader read(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        int fixedPrefix = MAGIC.length + 2;
        if (size < fixedPrefix) {
            throw new NpyFormatException(file, "not a .npy file: only " + size + " bytes long");
        }
        ByteBuffer start = readFully(channel, file, 0, fixedPrefix);
        byte[] magic = new byte[MAGIC.length];
        start.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new NpyFormatException(file, "not a .npy file: bad magic (the file must start with \\x93NUMPY)");
        }
        int major = Byte.toUnsignedInt(start.get());
        int minor = Byte.toUnsignedInt(start.get());
        if (minor != 0 || major < 1 || major > 3) {
            throw new NpyFormatException(file, "unsupported .npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        if (size < fixedPrefix + lengthBytes) {
            throw new NpyFormatException(file, "truncated: the file ends inside the header length field");
        }
        ByteBuffer lengthField = readFully(channel, file, fixedPrefix, lengthBytes);
        long headerLength = lengthBytes == 2 ? Short.toUnsignedInt(lengthField.getShort())
                : Integer.toUnsignedLong(lengthField.getInt());
        long dataOffset = fixedPrefix + lengthBytes + headerLength;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new NpyFormatException(file, "header length " + headerLength + " exceeds the "
                    + MAX_HEADER_BYTES + " bytes a float64/float32 header could need");
        }
        if (dataOffset > size) {
            throw new NpyFormatException(file, "truncated: the header is " + headerLength
                    + " bytes long but the file ends " + (dataOffset - size) + " bytes before its end");
        }
        ByteBuffer headerBytes = readFully(channel, file, fixedPrefix + lengthBytes, (int) headerLength);
        NpyHeader header = parse(decode(headerBytes, major, file), file);
        long available = size - dataOffset;
        long needed = header.dataBytes();
        if (available < needed) {
            throw new NpyFormatException(file, "truncated: shape " + shapeRepr(header.shape) + " of '"
                    + header.dtype.descr() + "' needs " + needed + " data bytes but only " + available
                    + " follow the header");
        }
        if (available > needed) {
            throw new NpyFormatException(file, (available - needed) + " unexpected bytes after the data: shape "
                    + shapeRepr(header.shape) + " of '" + header.dtype.descr() + "' needs " + needed
                    + " data bytes but " + available + " follow the header");
        }
        return new NpyFileHeader(major, header, dataOffset);
    }

    private static ByteBuffer readFully(FileChannel channel, Path file, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new NpyFormatException(file, "truncated: the file ended at byte " + (position + buffer.position())
                        + " while reading the header");
            }
        }
        return buffer.flip();
    }

    /** Versions 1.0 and 2.0 are latin-1; 3.0 is UTF-8, which must then be valid. */
    private static String decode(ByteBuffer bytes, int major, Path file) {
        if (major < 3) {
            return StandardCharsets.ISO_8859_1.decode(bytes).toString();
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new NpyFormatException(file, "the version 3.0 header is not valid UTF-8");
        }
    }

    /**
     * Parses a header dictionary such as {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}
     * and checks it as numpy does, then checks that it describes a matrix this package can import.
     */
    public static NpyHeader parse(String dictionary, Path file) {
        Object literal;
        try {
            literal = PythonLiteral.parse(dictionary);
        } catch (PythonLiteral.SyntaxException e) {
            throw new NpyFormatException(file, "the header does not parse (" + e.getMessage() + "): "
                    + abbreviate(dictionary));
        }
        if (!(literal instanceof Map<?, ?> map)) {
            throw new NpyFormatException(file, "the header is not a dictionary: " + abbreviate(dictionary));
        }
        if (!map.keySet().equals(EXPECTED_KEYS)) {
            Set<String> keys = new TreeSet<>();
            map.keySet().forEach(k -> keys.add(PythonLiteral.repr(k)));
            throw new NpyFormatException(file, "the header has keys " + keys
                    + ", expected exactly descr, fortran_order and shape");
        }
        NpyDType dtype = parseDescr(map.get("descr"), file);
        if (!(map.get("fortran_order") instanceof Boolean fortran)) {
            throw new NpyFormatException(file, "fortran_order is not True or False: "
                    + PythonLiteral.repr(map.get("fortran_order")));
        }
        long[] shape = parseShape(map.get("shape"), file);
        String problem = shapeProblem(shape);
        if (problem != null) {
            throw new NpyFormatException(file, problem);
        }
        try {
            dataBytes(dtype, shape);
        } catch (IllegalArgumentException e) {
            throw new NpyFormatException(file, e.getMessage());
        }
        return new NpyHeader(dtype, fortran, shape);
    }

    private static NpyDType parseDescr(Object descr, Path file) {
        if (descr instanceof List<?> || descr instanceof PythonLiteral.Tuple) {
            throw new NpyFormatException(file, "structured dtype " + abbreviate(PythonLiteral.repr(descr))
                    + " is not supported; only plain float64 and float32 arrays can be imported");
        }
        if (!(descr instanceof String text)) {
            throw new NpyFormatException(file, "descr is not a dtype descriptor: " + PythonLiteral.repr(descr));
        }
        NpyDType dtype = NpyDType.fromDescr(text);
        if (dtype == null) {
            throw new NpyFormatException(file, NpyDType.explainUnsupported(text));
        }
        return dtype;
    }

    private static long[] parseShape(Object shape, Path file) {
        if (!(shape instanceof PythonLiteral.Tuple tuple)) {
            throw new NpyFormatException(file, "shape is not a tuple of integers: " + PythonLiteral.repr(shape));
        }
        long[] dims = new long[tuple.items().size()];
        for (int i = 0; i < dims.length; i++) {
            if (!(tuple.items().get(i) instanceof BigInteger d) || d.signum() < 0 || d.bitLength() > 63) {
                throw new NpyFormatException(file, "shape is not a tuple of non-negative 64-bit integers: "
                        + PythonLiteral.repr(tuple));
            }
            dims[i] = d.longValue();
        }
        return dims;
    }

    /** Why a shape cannot be a matrix, or null when it can. */
    private static String shapeProblem(long[] shape) {
        if (shape.length == 0) {
            return "a 0-d (scalar) array is not supported; only 1-D and 2-D arrays can be imported";
        }
        if (shape.length > 2) {
            return "a " + shape.length + "-D array of shape " + shapeRepr(shape)
                    + " is not supported; only 1-D and 2-D arrays can be imported";
        }
        for (long d : shape) {
            if (d < 1) {
                return "the array of shape " + shapeRepr(shape) + " is empty; a matrix needs at least one row and column";
            }
        }
        return null;
    }

    private static String abbreviate(String text) {
        String oneLine = text.strip().replace("\n", "\\n");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.dtype == dtype && h.fortranOrder == fortranOrder
                && Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, fortranOrder, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return dictionary();
    }
}

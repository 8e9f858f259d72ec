package io.numpywren.npy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The element types a .npy file may hold for import: float64 and float32, either byte order. */
public enum NpyDType {
    FLOAT64_LITTLE("<f8", 8, ByteOrder.LITTLE_ENDIAN),
    FLOAT64_BIG(">f8", 8, ByteOrder.BIG_ENDIAN),
    FLOAT32_LITTLE("<f4", 4, ByteOrder.LITTLE_ENDIAN),
    FLOAT32_BIG(">f4", 4, ByteOrder.BIG_ENDIAN);

    private static final Pattern SIMPLE_DESCR = Pattern.compile("([<>|=]?)([a-zA-Z])(\\d*)(.*)");

    private final String descr;
    private final int itemSize;
    private final ByteOrder byteOrder;

    NpyDType(String descr, int itemSize, ByteOrder byteOrder) {
        this.descr = descr;
        this.itemSize = itemSize;
        this.byteOrder = byteOrder;
    }

    /** The descriptor numpy writes in the header, e.g. {@code '<f8'}. */
    public String descr() {
        return descr;
    }

    public int itemSize() {
        return itemSize;
    }

    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** Reads one value at the buffer's position, which must already be in {@link #byteOrder()}. */
    double read(ByteBuffer in) {
        return itemSize == 8 ? in.getDouble() : in.getFloat();
    }

    /** Writes one value (rounded to float32 for the 4-byte types) into a buffer in {@link #byteOrder()}. */
    void write(ByteBuffer out, double value) {
        if (itemSize == 8) {
            out.putDouble(value);
        } else {
            out.putFloat((float) value);
        }
    }

    /** The type with this descriptor, or null when it is not one of the four supported. */
    public static NpyDType fromDescr(String descr) {
        for (NpyDType t : values()) {
            if (t.descr.equals(descr)) {
                return t;
            }
        }
        return null;
    }

    /** Says what an unsupported descriptor is, so that the rejection message is useful. */
    static String explainUnsupported(String descr) {
        String supported = "; only float64 and float32 ('<f8', '>f8', '<f4', '>f4') can be imported";
        Matcher m = SIMPLE_DESCR.matcher(descr);
        if (!m.matches() || !m.group(4).isEmpty()) {
            return "unsupported dtype '" + descr + "'" + supported;
        }
        String kind = switch (m.group(2)) {
            case "i" -> "signed integer";
            case "u" -> "unsigned integer";
            case "b", "?" -> "boolean";
            case "f" -> "floating point";
            case "c" -> "complex";
            case "O" -> "Python objects, stored pickled";
            case "U", "S", "a" -> "string";
            case "V" -> "raw bytes (void)";
            case "M", "m" -> "datetime";
            default -> "unknown kind";
        };
        String size = m.group(3).isEmpty() ? "" : ", " + m.group(3) + " bytes";
        String order = m.group(1).equals("=") ? ", native byte order (numpy writes '<' or '>')" : "";
        return "unsupported dtype '" + descr + "' (" + kind + size + order + ")" + supported;
    }
}

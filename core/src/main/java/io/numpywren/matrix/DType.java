package io.numpywren.matrix;

/** Element types a block can be stored as. Computation is always in float64. */
public enum DType {
    FLOAT64(1, 8, "float64"),
    FLOAT32(2, 4, "float32");

    private final int code;
    private final int bytes;
    private final String numpyName;

    DType(int code, int bytes, String numpyName) {
        this.code = code;
        this.bytes = bytes;
        this.numpyName = numpyName;
    }

    public int code() {
        return code;
    }

    public int bytes() {
        return bytes;
    }

    public String numpyName() {
        return numpyName;
    }

    public static DType fromCode(int code) {
        for (DType d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        return null;
    }

    /** Parses "float64" or "float32" (as numpy names them). */
    public static DType fromName(String name) {
        for (DType d : values()) {
            if (d.numpyName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unsupported dtype '" + name + "' (supported: float64, float32)");
    }
}

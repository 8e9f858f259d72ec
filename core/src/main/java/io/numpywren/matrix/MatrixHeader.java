package io.numpywren.matrix;

import io.numpywren.codec.CorruptBlockException;

/**
 * The JSON header stored beside a matrix's blocks; a missing structure means GENERAL and a
 * missing exactBlockShapes means true, and missing versions that blocks have plain keys.
 */
record MatrixHeader(String format, int version, String name, long rows, long cols, int blockRows, int blockCols,
                    String dtype, int[] leadingGrid, String structure,
                    Boolean exactBlockShapes, BlockVersions versions) {
    static final String FORMAT = "numpywren.matrix";
    static final int VERSION = 1;

    void check(String key) {
        if (!FORMAT.equals(format)) {
            throw new CorruptBlockException(key, "header format is '" + format + "', expected '" + FORMAT + "'");
        }
        if (version != VERSION) {
            throw new CorruptBlockException(key, "header version " + version + " is not supported (expected "
                    + VERSION + ")");
        }
        if (name == null || dtype == null || leadingGrid == null) {
            throw new CorruptBlockException(key, "header lacks name, dtype or leadingGrid");
        }
        if (structure != null) {
            try {
                BlockMatrix.Structure.valueOf(structure);
            } catch (IllegalArgumentException e) {
                throw new CorruptBlockException(key, "unknown matrix structure '" + structure + "'");
            }
        }
    }
}

package io.numpywren.matrix;

/**
 * A {@link BlockMatrix} handle as data (see {@link BlockMatrix#description()}): where it lives,
 * its shape, block shape, dtype, structure and block versions. {@code versions} is null for plain keys.
 */
public record MatrixDescription(String namespace, String name, long rows, long cols, int blockRows, int blockCols,
                                String dtype, int[] leadingGrid, String structure, boolean exactBlockShapes,
                                BlockVersions versions) {
}

package io.numpywren.matrix;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.numpywren.codec.BlockCodec;
import io.numpywren.codec.CorruptBlockException;
import io.numpywren.storage.BlockKeys;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.FetchedBlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable handle on a matrix stored as blocks: its name, shape, block shape, dtype and
 * where it lives (a store and a namespace). Holding a handle costs nothing; blocks are read
 * and written one at a time.
 *
 * <p>Blocks are addressed by a grid index. An ordinary matrix has a 2-D grid {@code (bi, bj)};
 * intermediates may have extra leading grid dimensions (Cholesky's {@code S[i,j,k]}), while
 * each block itself stays 2-D and its shape is set by the last two indices. Edge blocks are
 * ragged when the shape is not a multiple of the block shape.
 *
 * <p>Keys: {@code namespace/name/header.json} for the header, written beside the blocks so the
 * matrix can be reopened by name, and {@code namespace/name/i_j[_k...]} for blocks; a job's output
 * carries {@link BlockVersions}, and its blocks are {@code namespace/name/i_j.VERSION}, the
 * version of the attempt that won.
 */
public final class BlockMatrix {
    static final String HEADER_FILE = "header.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockStore store;
    private final String namespace;
    private final String name;
    private final long rows;
    private final long cols;
    private final int blockRows;
    private final int blockCols;
    private final DType dtype;
    private final int[] leadingGrid;
    private final Structure structure;
    private final boolean exactBlockShapes;
    /** The stored version of each block, or null when blocks are stored under their plain keys. */
    private final BlockVersions versions;
    private final String prefix;

    private BlockMatrix(BlockStore store, String namespace, String name, long rows, long cols,
                        int blockRows, int blockCols, DType dtype, int[] leadingGrid, Structure structure,
                        boolean exactBlockShapes, BlockVersions versions) {
        this.store = Objects.requireNonNull(store, "store");
        this.namespace = validateNamespace(namespace);
        this.name = BlockKeys.validateSegment(name, "matrix name");
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("matrix '" + name + "' must have at least one row and one column, got "
                    + rows + "x" + cols);
        }
        if (blockRows < 1 || blockCols < 1) {
            throw new IllegalArgumentException("block shape of matrix '" + name + "' must be positive, got "
                    + blockRows + "x" + blockCols);
        }
        if ((long) blockRows * blockCols * Double.BYTES > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("block shape " + blockRows + "x" + blockCols
                    + " of matrix '" + name + "' exceeds 2 GiB per block");
        }
        long gridRows = ceilDiv(rows, blockRows);
        long gridCols = ceilDiv(cols, blockCols);
        if (gridRows > Integer.MAX_VALUE || gridCols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("matrix '" + name + "' has too many blocks");
        }
        for (int extent : leadingGrid) {
            if (extent < 1) {
                throw new IllegalArgumentException("leading grid extents of matrix '" + name
                        + "' must be positive, got " + Arrays.toString(leadingGrid));
            }
        }
        this.rows = rows;
        this.cols = cols;
        this.blockRows = blockRows;
        this.blockCols = blockCols;
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        this.leadingGrid = leadingGrid.clone();
        this.structure = Objects.requireNonNull(structure, "structure");
        this.exactBlockShapes = exactBlockShapes;
        this.versions = versions;
        if (structure != Structure.GENERAL && blockRows != blockCols) {
            throw new IllegalArgumentException(structure.description + " matrix '" + name + "' needs square blocks, got "
                    + blockRows + "x" + blockCols);
        }
        if (structure == Structure.LOWER_TRIANGULAR && rows != cols) {
            throw new IllegalArgumentException("lower-triangular matrix '" + name + "' must be square, got "
                    + rows + "x" + cols);
        }
        this.prefix = namespace + "/" + name + "/";
    }

    private static String validateNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.endsWith("/")) {
            throw new IllegalArgumentException("namespace '" + namespace + "' must not end with '/'");
        }
        return BlockKeys.validate(namespace);
    }

    /** Ceiling of a / b for a >= 1 and b >= 1, without the overflow of (a + b - 1) / b. */
    private static long ceilDiv(long a, long b) {
        return (a - 1) / b + 1;
    }

    /** Starts describing a new matrix in {@code store} under {@code namespace}. */
    public static Builder builder(BlockStore store, String namespace, String name) {
        return new Builder(store, namespace, name);
    }

    /** Reopens a matrix by name from the header stored beside its blocks. */
    public static BlockMatrix open(BlockStore store, String namespace, String name) {
        String headerKey = validateNamespace(namespace) + "/" + BlockKeys.validateSegment(name, "matrix name")
                + "/" + HEADER_FILE;
        ByteBuffer bytes;
        try {
            bytes = store.get(headerKey);
        } catch (BlockNotFoundException e) {
            throw new IllegalArgumentException("no matrix '" + name + "' in namespace '" + namespace + "' of "
                    + store.description() + " (header " + headerKey + " not found)", e);
        }
        MatrixHeader header;
        try {
            byte[] raw = new byte[bytes.remaining()];
            bytes.get(raw);
            header = JSON.readValue(raw, MatrixHeader.class);
        } catch (IOException e) {
            throw new CorruptBlockException(headerKey, "matrix header is not valid JSON: " + e.getMessage());
        }
        if (header == null) {
            throw new CorruptBlockException(headerKey, "matrix header is JSON null, not an object");
        }
        header.check(headerKey);
        if (!header.name().equals(name)) {
            throw new CorruptBlockException(headerKey, "header names matrix '" + header.name() + "', expected '" + name + "'");
        }
        try {
            return new BlockMatrix(store, namespace, name, header.rows(), header.cols(), header.blockRows(),
                    header.blockCols(), DType.fromName(header.dtype()), header.leadingGrid(),
                    header.structure() == null ? Structure.GENERAL : Structure.valueOf(header.structure()),
                    header.exactBlockShapes() == null || header.exactBlockShapes(), header.versions());
        } catch (IllegalArgumentException e) {
            throw new CorruptBlockException(headerKey, "matrix header describes no valid matrix: " + e.getMessage());
        }
    }

    public BlockStore store() {
        return store;
    }

    public String namespace() {
        return namespace;
    }

    public String name() {
        return name;
    }

    public long rows() {
        return rows;
    }

    public long cols() {
        return cols;
    }

    public int blockRows() {
        return blockRows;
    }

    public int blockCols() {
        return blockCols;
    }

    public DType dtype() {
        return dtype;
    }

    /** Number of block rows in the 2-D part of the grid. */
    public int gridRows() {
        return (int) ceilDiv(rows, blockRows);
    }

    /** Number of block columns in the 2-D part of the grid. */
    public int gridCols() {
        return (int) ceilDiv(cols, blockCols);
    }

    /** Extents of every grid dimension: the leading ones, then block rows and block columns. */
    public int[] gridShape() {
        int[] shape = Arrays.copyOf(leadingGrid, leadingGrid.length + 2);
        shape[leadingGrid.length] = gridRows();
        shape[leadingGrid.length + 1] = gridCols();
        return shape;
    }

    /** Number of grid dimensions (2 for an ordinary matrix). */
    public int gridRank() {
        return leadingGrid.length + 2;
    }

    /** Total number of blocks the grid can hold. */
    public long blockCount() {
        long n = 1;
        for (int extent : gridShape()) {
            n *= extent;
        }
        return n;
    }

    /** Rows in block row {@code bi} (smaller at the ragged bottom edge). */
    public int blockRowsAt(int bi) {
        checkRange(bi, gridRows(), "block row");
        return (int) Math.min(blockRows, rows - (long) bi * blockRows);
    }

    /** Columns in block column {@code bj} (smaller at the ragged right edge). */
    public int blockColsAt(int bj) {
        checkRange(bj, gridCols(), "block column");
        return (int) Math.min(blockCols, cols - (long) bj * blockCols);
    }

    private void checkRange(int value, int extent, String what) {
        if (value < 0 || value >= extent) {
            throw new IndexOutOfBoundsException(what + " " + value + " outside [0, " + extent + ") of matrix '" + name + "'");
        }
    }

    /** The store key of the block at {@code index}: its stored version's, when the matrix has versions. */
    public String key(int... index) {
        String key = unversionedKey(index);
        return versions == null ? key : key + "." + versions.of(key.substring(prefix.length()));
    }

    /** The key of the block at {@code index} without a version: what a job appends its attempts' versions to. */
    public String unversionedKey(int... index) {
        int[] shape = gridShape();
        if (index.length != shape.length) {
            throw new IllegalArgumentException("matrix '" + name + "' has a " + shape.length
                    + "-D block grid, got a " + index.length + "-D index " + Arrays.toString(index));
        }
        StringBuilder key = new StringBuilder(prefix.length() + 8 * index.length).append(prefix);
        for (int d = 0; d < index.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("block index " + Arrays.toString(index) + " outside the grid "
                        + Arrays.toString(shape) + " of matrix '" + name + "'");
            }
            if (d > 0) {
                key.append('_');
            }
            key.append(index[d]);
        }
        return key.toString();
    }

    /** The key prefix under which all of this matrix's objects live. */
    public String prefix() {
        return prefix;
    }

    public String headerKey() {
        return prefix + HEADER_FILE;
    }

    /** Writes the header, so that {@link #open} finds the matrix. */
    BlockMatrix writeHeader() {
        store.putIdempotently(headerKey(), encodedHeader());
        return this;
    }

    private ByteBuffer encodedHeader() {
        MatrixHeader header = new MatrixHeader(MatrixHeader.FORMAT, MatrixHeader.VERSION, name, rows, cols,
                blockRows, blockCols, dtype.numpyName(), leadingGrid, structure.name(), exactBlockShapes, versions);
        try {
            return ByteBuffer.wrap(JSON.writeValueAsBytes(header));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode header of matrix '" + name + "'", e);
        }
    }

    /** The stored version of each block, or null when the blocks have plain keys. */
    public BlockVersions versions() {
        return versions;
    }

    /** A handle on the same matrix reading the blocks of {@code versions}; nothing is written. */
    public BlockMatrix withVersions(BlockVersions versions) {
        return new BlockMatrix(store, namespace, name, rows, cols, blockRows, blockCols, dtype, leadingGrid, structure,
                exactBlockShapes, versions);
    }

    /**
     * Records {@code versions} in the header beside the blocks (replacing it), so that {@link #open}
     * reads the blocks a job's winning attempts wrote; returns the handle that reads them.
     */
    public BlockMatrix publishVersions(BlockVersions versions) {
        BlockMatrix versioned = withVersions(versions);
        store.replace(headerKey(), versioned.encodedHeader());
        return versioned;
    }

    /** Everything a handle is, as data: what a job's journal records to rebuild it without reading the store. */
    public MatrixDescription description() {
        return new MatrixDescription(namespace, name, rows, cols, blockRows, blockCols, dtype.numpyName(), leadingGrid,
                structure.name(), exactBlockShapes, versions);
    }

    /** The handle {@code d} describes, on {@code store}; nothing is read. Throws when {@code d} describes no valid matrix. */
    public static BlockMatrix fromDescription(BlockStore store, MatrixDescription d) {
        Structure structure;
        try {
            structure = Structure.valueOf(d.structure());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown matrix structure '" + d.structure() + "'");
        }
        return new BlockMatrix(store, d.namespace(), d.name(), d.rows(), d.cols(), d.blockRows(), d.blockCols(),
                DType.fromName(d.dtype()), d.leadingGrid() == null ? new int[0] : d.leadingGrid(), structure,
                d.exactBlockShapes(), d.versions());
    }

    private void checkBlockShape(Block block, int[] index, String key) {
        int r = blockRowsAt(index[index.length - 2]);
        int c = blockColsAt(index[index.length - 1]);
        if (block.rows() != r || block.cols() != c) {
            throw new IllegalArgumentException("block " + key + " of matrix '" + name + "' must be " + r + "x" + c
                    + ", got " + block.shapeString());
        }
    }

    /** Which blocks are stored: all of them, or (lower triangular) none above the block diagonal. */
    public enum Structure {
        GENERAL("general"),
        /** Blocks above the block diagonal are zero and never stored (a Cholesky factor). */
        LOWER_TRIANGULAR("lower-triangular"),
        /** Blocks below the block diagonal are zero and never stored (the R of a QR; may be wide). */
        UPPER_TRIANGULAR("upper-triangular"),
        /** Only the diagonal and first superdiagonal blocks are stored (the band BDFAC leaves). */
        UPPER_BLOCK_BIDIAGONAL("upper block-bidiagonal");

        private final String description;

        Structure(String description) {
            this.description = description;
        }

        /** Whether block (row, col) of the 2-D grid is zero by this structure. */
        boolean isZero(int row, int col) {
            return switch (this) {
                case GENERAL -> false;
                case LOWER_TRIANGULAR -> col > row;
                case UPPER_TRIANGULAR -> col < row;
                case UPPER_BLOCK_BIDIAGONAL -> col != row && col != row + 1;
            };
        }
    }

    public Structure structure() {
        return structure;
    }

    /** Whether every block must have the shape its grid position gives (false for free-form intermediates). */
    public boolean exactBlockShapes() {
        return exactBlockShapes;
    }

    /** Whether the block at {@code index} is zero by the matrix's structure, and so never stored. */
    public boolean isStructuralZero(int... index) {
        key(index); // validates the index
        return structure.isZero(index[index.length - 2], index[index.length - 1]);
    }

    /** Reads and verifies the block at {@code index}. */
    public Block read(int... index) {
        String key = key(index);
        if (isStructuralZero(index)) {
            return Block.zeros(blockRowsAt(index[index.length - 2]), blockColsAt(index[index.length - 1]));
        }
        FetchedBlock fetched = store.getBlock(key, double[]::new);
        Block block;
        try {
            if (fetched.dtype() != dtype) {
                throw new CorruptBlockException(key, "stored as " + fetched.dtype().numpyName() + " but matrix '"
                        + name + "' is " + dtype.numpyName());
            }
            // The caller may modify what it reads; the store's own block must stay as it is.
            block = fetched.shared() ? fetched.block().copy() : fetched.block();
        } finally {
            fetched.release();
        }
        int r = blockRowsAt(index[index.length - 2]);
        int c = blockColsAt(index[index.length - 1]);
        if (exactBlockShapes && (block.rows() != r || block.cols() != c)) {
            throw new CorruptBlockException(key, "stored shape " + block.shapeString() + " but matrix '" + name
                    + "' expects " + r + "x" + c + " there");
        }
        return block;
    }

    /** Writes the block at {@code index}; its shape must match the grid position. */
    public void write(Block block, int... index) {
        store.putIdempotently(writableKey(block, index), BlockCodec.encode(block, dtype));
    }

    /**
     * As {@link #write}, giving the block to the store, which may keep it instead of a copy
     * (the in-memory store does): the caller must not modify it afterwards.
     */
    public void handOver(Block block, int... index) {
        store.putBlock(writableKey(block, index), block, dtype);
    }

    private String writableKey(Block block, int... index) {
        String key = key(index);
        if (exactBlockShapes) {
            checkBlockShape(block, index, key);
        }
        if (isStructuralZero(index)) {
            throw new IllegalArgumentException("block " + key + " is zero by the structure of " + structure.description
                    + " matrix '" + name + "' and cannot be written");
        }
        return key;
    }

    public boolean exists(int... index) {
        return isStructuralZero(index) || store.exists(key(index));
    }

    /** Deletes one block; returns whether it existed. */
    public boolean delete(int... index) {
        return store.delete(key(index));
    }

    /** Deletes every block and the header. The handle must not be used afterwards. */
    public int free() {
        // Only keys directly under the prefix: a namespace may nest, and "ns/A/B/..." belongs
        // to matrix B of namespace "ns/A", not to matrix A of namespace "ns".
        int deleted = 0;
        for (String key : store.list(prefix)) {
            if (key.indexOf('/', prefix.length()) < 0 && store.delete(key)) {
                deleted++;
            }
        }
        store.deleteUnfinishedWrites(prefix); // a writer killed mid-block (a driver that died) left its temporary file
        return deleted;
    }

    /** A handle on the same blocks under another name is not possible; this describes the matrix. */
    @Override
    public String toString() {
        return "BlockMatrix[" + namespace + "/" + name + " " + rows + "x" + cols + " in " + blockRows + "x" + blockCols
                + " blocks" + (leadingGrid.length == 0 ? "" : ", leading grid " + Arrays.toString(leadingGrid))
                + ", " + dtype.numpyName() + ", " + store.description() + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockMatrix m && m.store == store && m.namespace.equals(namespace) && m.name.equals(name)
                && m.rows == rows && m.cols == cols && m.blockRows == blockRows && m.blockCols == blockCols
                && m.dtype == dtype && Arrays.equals(m.leadingGrid, leadingGrid) && m.structure == structure
                && m.exactBlockShapes == exactBlockShapes && Objects.equals(m.versions, versions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(namespace, name, rows, cols, blockRows, blockCols);
    }

    /** Validating builder for a new matrix; {@link #create()} writes its header. */
    public static final class Builder {
        private final BlockStore store;
        private final String namespace;
        private final String name;
        private long rows;
        private long cols;
        private int blockRows;
        private int blockCols;
        private DType dtype = DType.FLOAT64;
        private int[] leadingGrid = new int[0];
        private Structure structure = Structure.GENERAL;
        private boolean exactBlockShapes = true;
        private boolean replace;

        private Builder(BlockStore store, String namespace, String name) {
            this.store = store;
            this.namespace = namespace;
            this.name = name;
        }

        public Builder shape(long rows, long cols) {
            this.rows = rows;
            this.cols = cols;
            return this;
        }

        public Builder blockShape(int blockRows, int blockCols) {
            this.blockRows = blockRows;
            this.blockCols = blockCols;
            return this;
        }

        /** Square blocks of side {@code block}. */
        public Builder blockSize(int block) {
            return blockShape(block, block);
        }

        /** How blocks are stored; float32 halves storage and loses precision. */
        public Builder dtype(DType dtype) {
            this.dtype = dtype;
            return this;
        }

        /** Extra leading grid dimensions, for intermediates such as {@code S[i,j,k]}. */
        public Builder leadingGrid(int... extents) {
            this.leadingGrid = extents.clone();
            return this;
        }

        /** Lower triangular: blocks above the diagonal read as zero and are never stored. */
        public Builder structure(Structure structure) {
            this.structure = structure;
            return this;
        }

        /**
         * Lets blocks have any shape, for intermediates whose blocks do not tile the matrix
         * (the stacked reflectors of a QR tree). Exact shapes (the default) are checked on
         * every read and write.
         */
        public Builder anyBlockShapes() {
            this.exactBlockShapes = false;
            return this;
        }

        /** Allows creating over an existing matrix of the same name (its old blocks are deleted). */
        public Builder replaceExisting(boolean replace) {
            this.replace = replace;
            return this;
        }

        /** Validates, writes the header and returns the handle. */
        public BlockMatrix create() {
            BlockMatrix m = new BlockMatrix(store, namespace, name, rows, cols, blockRows, blockCols, dtype, leadingGrid,
                    structure, exactBlockShapes, null);
            if (store.exists(m.headerKey())) {
                if (!replace) {
                    throw new IllegalArgumentException("matrix '" + name + "' already exists in namespace '" + namespace
                            + "' of " + store.description());
                }
                m.free();
            }
            return m.writeHeader();
        }
    }
}

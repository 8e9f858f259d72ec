package io.numpywren.matrix;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.numpywren.codec.BlockCodec;
import io.numpywren.codec.CorruptBlockException;
import io.numpywren.storage.BlockNotFoundException;
import io.numpywren.storage.BlockStore;
import io.numpywren.storage.InMemoryBlockStore;
import io.numpywren.storage.InvalidKeyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockStore store = new InMemoryBlockStore();

    @TempDir
    Path tmp;

    private BlockMatrix.Builder builder(String name) {
        return BlockMatrix.builder(store, "ns", name);
    }

    private BlockMatrix ragged() {
        return builder("A").shape(10, 7).blockShape(4, 3).create();
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- builder validation

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"0,5", "5,0", "-1,5", "5,-3", "0,0"})
    void theBuilderRejectsANonPositiveShape(long rows, long cols) {
        assertThatThrownBy(() -> builder("A").shape(rows, cols).blockSize(2).create())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'A'")
                .hasMessageContaining(rows + "x" + cols);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void theBuilderRejectsAMissingShape() {
        assertThatThrownBy(() -> builder("A").blockSize(2).create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one row");
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"0,0", "0,3", "3,0", "-2,2"})
    void theBuilderRejectsANonPositiveBlockShape(int br, int bc) {
        assertThatThrownBy(() -> builder("A").shape(4, 4).blockShape(br, bc).create())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("block shape")
                .hasMessageContaining(br + "x" + bc);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void theBuilderRejectsAMissingBlockShape() {
        assertThatThrownBy(() -> builder("A").shape(4, 4).create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block shape");
    }

    @Test
    void theBuilderRejectsBlocksOfMoreThanTwoGibibytes() {
        assertThatThrownBy(() -> builder("A").shape(100_000, 100_000).blockSize(20_000).create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 GiB");
    }

    @Test
    void theBuilderRejectsAGridWithMoreThanIntMaxBlockRows() {
        assertThatThrownBy(() -> builder("A").shape(Long.MAX_VALUE / 2, 1).blockShape(1, 1).create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many blocks");
    }

    @Test
    void theBuilderRejectsAShapeWhoseBlockCountWouldOverflow() {
        assertThatThrownBy(() -> builder("A").shape(Long.MAX_VALUE, 1).blockShape(2, 1).create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many blocks");
        assertThatThrownBy(() -> builder("A").shape(1, Long.MAX_VALUE).blockShape(1, 1000).create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many blocks");
        assertThat(store.list("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "..", ".", "", "a b", "x\\y", "header:json"})
    void theBuilderRejectsBadMatrixNames(String name) {
        assertThatThrownBy(() -> builder(name).shape(4, 4).blockSize(2).create())
                .isInstanceOf(InvalidKeyException.class)
                .hasMessageContaining("'" + name + "'");
        assertThat(store.list("")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ns/", "/ns", "a/../b", "", "a//b"})
    void theBuilderRejectsBadNamespaces(String namespace) {
        assertThatThrownBy(() -> BlockMatrix.builder(store, namespace, "A").shape(4, 4).blockSize(2).create())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(namespace);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void theBuilderRejectsANonPositiveLeadingGridExtent() {
        assertThatThrownBy(() -> builder("S").shape(4, 4).blockSize(2).leadingGrid(3, 0).create())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("leading grid").hasMessageContaining("[3, 0]");
    }

    @Test
    void aNestedNamespaceIsAllowed() {
        BlockMatrix m = BlockMatrix.builder(store, "proj/run-1", "A").shape(2, 2).blockSize(1).create();

        assertThat(m.key(1, 0)).isEqualTo("proj/run-1/A/1_0");
        assertThat(m.headerKey()).isEqualTo("proj/run-1/A/header.json");
    }

    @Test
    void createWritesTheHeaderAndNothingElse() throws Exception {
        BlockMatrix m = builder("A").shape(10, 7).blockShape(4, 3).dtype(DType.FLOAT32).leadingGrid(2).create();

        assertThat(store.list("")).containsExactly("ns/A/header.json");
        ByteBuffer header = store.get(m.headerKey());
        byte[] raw = new byte[header.remaining()];
        header.get(raw);
        JsonNode json = JSON.readTree(raw);
        assertThat(json.get("name").asText()).isEqualTo("A");
        assertThat(json.get("rows").asLong()).isEqualTo(10);
        assertThat(json.get("cols").asLong()).isEqualTo(7);
        assertThat(json.get("blockRows").asInt()).isEqualTo(4);
        assertThat(json.get("blockCols").asInt()).isEqualTo(3);
        assertThat(json.get("dtype").asText()).isEqualTo("float32");
        assertThat(json.get("leadingGrid").get(0).asInt()).isEqualTo(2);
    }

    @Test
    void creatingAMatrixThatExistsWithoutReplaceExistingFailsAndKeepsTheOldOne() {
        BlockMatrix old = builder("A").shape(4, 4).blockSize(2).create();
        old.write(Block.identity(2, 2), 0, 0);

        assertThatThrownBy(() -> builder("A").shape(6, 6).blockSize(3).create())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'A' already exists")
                .hasMessageContaining("'ns'");

        assertThat(BlockMatrix.open(store, "ns", "A")).isEqualTo(old);
        assertThat(old.read(0, 0)).isEqualTo(Block.identity(2, 2));
    }

    @Test
    void replaceExistingDeletesTheOldBlocksAndWritesTheNewHeader() {
        BlockMatrix old = builder("A").shape(4, 4).blockSize(2).create();
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                old.write(Block.identity(2, 2), i, j);
            }
        }

        BlockMatrix replacement = builder("A").shape(6, 3).blockSize(3).replaceExisting(true).create();

        assertThat(store.list("ns/A/")).containsExactly("ns/A/header.json");
        assertThat(BlockMatrix.open(store, "ns", "A")).isEqualTo(replacement);
        assertThat(replacement.exists(0, 0)).isFalse();
    }

    @Test
    void replaceExistingDoesNotTouchAMatrixWhoseNameExtendsTheReplacedOne() {
        BlockMatrix other = builder("AB").shape(2, 2).blockSize(2).create();
        other.write(Block.identity(2, 2), 0, 0);
        builder("A").shape(2, 2).blockSize(2).create().write(Block.identity(2, 2), 0, 0);

        builder("A").shape(2, 2).blockSize(2).replaceExisting(true).create();

        assertThat(store.list("ns/AB/")).containsExactly("ns/AB/0_0", "ns/AB/header.json");
    }

    @Test
    void replaceExistingCreatesTheMatrixWhenNoneExists() {
        BlockMatrix m = builder("A").shape(2, 2).blockSize(2).replaceExisting(true).create();

        assertThat(BlockMatrix.open(store, "ns", "A")).isEqualTo(m);
    }

    // ---------------------------------------------------------------- open

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void openByNameReproducesAnEqualHandle(TestStores kind) {
        BlockStore s = kind.open(tmp);
        BlockMatrix created = BlockMatrix.builder(s, "run", "S").shape(10, 7).blockShape(4, 3)
                .dtype(DType.FLOAT32).leadingGrid(4, 2).create();

        BlockMatrix opened = BlockMatrix.open(s, "run", "S");

        assertThat(opened).isEqualTo(created).hasSameHashCodeAs(created);
        assertThat(opened.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(opened.gridShape()).containsExactly(4, 2, 3, 3);
        assertThat(opened.rows()).isEqualTo(10);
        assertThat(opened.cols()).isEqualTo(7);
        assertThat(opened.blockRows()).isEqualTo(4);
        assertThat(opened.blockCols()).isEqualTo(3);
        assertThat(opened.store()).isSameAs(s);
        assertThat(opened.namespace()).isEqualTo("run");
        assertThat(opened.name()).isEqualTo("S");
    }

    @Test
    void handlesDifferInAnyPropertyAreNotEqual() {
        BlockMatrix a = builder("A").shape(4, 4).blockSize(2).create();
        BlockMatrix f32 = builder("B").shape(4, 4).blockSize(2).dtype(DType.FLOAT32).create();
        BlockMatrix grid = builder("C").shape(4, 4).blockSize(2).leadingGrid(1).create();
        BlockMatrix elsewhere = BlockMatrix.builder(new InMemoryBlockStore(), "ns", "A").shape(4, 4).blockSize(2).create();

        assertThat(a).isNotEqualTo(f32).isNotEqualTo(grid).isNotEqualTo(elsewhere);
        assertThat(BlockMatrix.open(store, "ns", "B")).isNotEqualTo(BlockMatrix.open(store, "ns", "C"));
    }

    @Test
    void openOfAMissingMatrixNamesTheMatrixAndTheHeaderKey() {
        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no matrix 'nope'")
                .hasMessageContaining("ns/nope/header.json")
                .hasCauseInstanceOf(BlockNotFoundException.class);
    }

    @Test
    void openRejectsBadNamesBeforeReading() {
        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "..")).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> BlockMatrix.open(store, "ns/", "A")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"format\":", "[]", "null", "42"})
    void openOfAHeaderThatIsNotAHeaderObjectIsACorruptBlockNamingTheHeader(String content) {
        store.replace("ns/A/header.json", utf8(content));

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/header.json");
    }

    private ObjectNode validHeaderJson() throws Exception {
        BlockMatrix m = builder("A").shape(10, 7).blockShape(4, 3).create();
        ByteBuffer b = store.get(m.headerKey());
        byte[] raw = new byte[b.remaining()];
        b.get(raw);
        return (ObjectNode) JSON.readTree(raw);
    }

    private void putHeader(ObjectNode json) throws Exception {
        store.replace("ns/A/header.json", ByteBuffer.wrap(JSON.writeValueAsBytes(json)));
    }

    @Test
    void openOfAHeaderWithAnotherFormatIsReported() throws Exception {
        ObjectNode json = validHeaderJson();
        json.put("format", "something.else");
        putHeader(json);

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/header.json").hasMessageContaining("something.else");
    }

    @Test
    void openOfAHeaderWithAnotherVersionIsReported() throws Exception {
        ObjectNode json = validHeaderJson();
        json.put("version", 9);
        putHeader(json);

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/header.json").hasMessageContaining("version 9");
    }

    @Test
    void openOfAHeaderThatNamesAnotherMatrixIsReported() throws Exception {
        ObjectNode json = validHeaderJson();
        json.put("name", "B");
        putHeader(json);

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("'B'").hasMessageContaining("expected 'A'");
    }

    @Test
    void openOfAHeaderMissingAFieldIsReported() throws Exception {
        ObjectNode json = validHeaderJson();
        json.remove("dtype");
        putHeader(json);

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/header.json").hasMessageContaining("dtype");
    }

    @Test
    void openOfAHeaderWithAnUnknownDtypeIsACorruptBlockNamingTheHeader() throws Exception {
        ObjectNode json = validHeaderJson();
        json.put("dtype", "int8");
        putHeader(json);

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/header.json").hasMessageContaining("int8");
    }

    @ParameterizedTest
    @CsvSource({"rows,0", "cols,-4", "blockRows,0", "blockCols,-1"})
    void openOfAHeaderWithAnImpossibleShapeIsACorruptBlockNamingTheHeader(String field, int value) throws Exception {
        ObjectNode json = validHeaderJson();
        json.put(field, value);
        putHeader(json);

        assertThatThrownBy(() -> BlockMatrix.open(store, "ns", "A"))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/header.json").hasMessageContaining(String.valueOf(value));
    }

    // ---------------------------------------------------------------- grid geometry

    @Test
    void raggedEdgeBlocksAreSmaller() {
        BlockMatrix m = ragged();

        assertThat(m.gridRows()).isEqualTo(3);
        assertThat(m.gridCols()).isEqualTo(3);
        assertThat(m.gridRank()).isEqualTo(2);
        assertThat(m.gridShape()).containsExactly(3, 3);
        assertThat(m.blockCount()).isEqualTo(9);
        assertThat(List.of(m.blockRowsAt(0), m.blockRowsAt(1), m.blockRowsAt(2))).containsExactly(4, 4, 2);
        assertThat(List.of(m.blockColsAt(0), m.blockColsAt(1), m.blockColsAt(2))).containsExactly(3, 3, 1);
    }

    @Test
    void aShapeThatIsAMultipleOfTheBlockShapeHasNoRaggedBlocks() {
        BlockMatrix m = builder("A").shape(8, 6).blockShape(4, 3).create();

        assertThat(m.gridShape()).containsExactly(2, 2);
        assertThat(m.blockRowsAt(1)).isEqualTo(4);
        assertThat(m.blockColsAt(1)).isEqualTo(3);
    }

    @Test
    void aBlockLargerThanTheMatrixMakesOneRaggedBlock() {
        BlockMatrix m = builder("A").shape(3, 2).blockSize(100).create();

        assertThat(m.gridShape()).containsExactly(1, 1);
        assertThat(m.blockRowsAt(0)).isEqualTo(3);
        assertThat(m.blockColsAt(0)).isEqualTo(2);
    }

    @Test
    void blockRowsAtAndBlockColsAtRejectIndicesOutsideTheGrid() {
        BlockMatrix m = ragged();

        assertThatThrownBy(() -> m.blockRowsAt(3)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("block row 3").hasMessageContaining("[0, 3)");
        assertThatThrownBy(() -> m.blockColsAt(-1)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("block column -1");
    }

    @Test
    void keysAreNamespaceNameAndTheIndexJoinedByUnderscores() {
        BlockMatrix m = ragged();

        assertThat(m.key(0, 0)).isEqualTo("ns/A/0_0");
        assertThat(m.key(2, 1)).isEqualTo("ns/A/2_1");
        assertThat(m.prefix()).isEqualTo("ns/A/");
        assertThat(m.headerKey()).isEqualTo("ns/A/header.json");
    }

    @ParameterizedTest
    @CsvSource({"3,0", "0,3", "-1,0", "0,-1"})
    void keyRejectsAnIndexOutsideTheGrid(int bi, int bj) {
        BlockMatrix m = ragged();

        assertThatThrownBy(() -> m.key(bi, bj))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("[" + bi + ", " + bj + "]")
                .hasMessageContaining("[3, 3]");
    }

    @Test
    void keyRejectsAnIndexOfTheWrongRank() {
        BlockMatrix m = ragged();

        assertThatThrownBy(() -> m.key(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2-D block grid").hasMessageContaining("1-D index");
        assertThatThrownBy(() -> m.key(0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3-D index");
        assertThatThrownBy(m::key).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.write(Block.zeros(4, 3), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> m.read(0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLeadingGridAddsIndicesInFrontOfTheBlockIndex() {
        BlockMatrix s = builder("S").shape(10, 7).blockShape(4, 3).leadingGrid(4).create();

        assertThat(s.gridRank()).isEqualTo(3);
        assertThat(s.gridShape()).containsExactly(4, 3, 3);
        assertThat(s.blockCount()).isEqualTo(36);
        assertThat(s.key(3, 2, 1)).isEqualTo("ns/S/3_2_1");
        assertThatThrownBy(() -> s.key(4, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> s.key(0, 3, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> s.key(0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3-D block grid");
    }

    @Test
    void blocksInALeadingGridTakeTheirShapeFromTheLastTwoIndices() {
        BlockMatrix s = builder("S").shape(10, 7).blockShape(4, 3).leadingGrid(4).create();
        Block edge = Block.identity(2, 1);

        s.write(edge, 3, 2, 2);
        s.write(Block.identity(4, 3), 0, 0, 0);

        assertThat(s.read(3, 2, 2)).isEqualTo(edge);
        assertThat(s.read(0, 0, 0)).isEqualTo(Block.identity(4, 3));
        assertThat(s.exists(1, 2, 2)).isFalse();
        assertThat(store.list("ns/S/")).containsExactly("ns/S/0_0_0", "ns/S/3_2_2", "ns/S/header.json");
        assertThatThrownBy(() -> s.write(Block.identity(4, 3), 3, 2, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be 2x1");
    }

    // ---------------------------------------------------------------- block I/O

    @Test
    void aWrittenBlockReadsBackEqual() {
        BlockMatrix m = ragged();
        Block b = Block.wrap(4, 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});

        m.write(b, 1, 0);

        assertThat(m.read(1, 0)).isEqualTo(b);
        assertThat(m.exists(1, 0)).isTrue();
        assertThat(m.exists(0, 0)).isFalse();
    }

    @Test
    void aHandedOverBlockIsReadBackAsACopyTheCallerMayChange() {
        BlockMatrix m = ragged();
        Block b = Block.wrap(4, 3, new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        Block original = b.copy();

        m.handOver(b, 0, 0);
        Block read = m.read(0, 0);
        read.set(0, 0, -99);

        assertThat(read).isNotSameAs(b);
        assertThat(m.read(0, 0)).isEqualTo(original);
        assertThatThrownBy(() -> m.handOver(Block.zeros(3, 3), 1, 1)).hasMessageContaining("must be 4x3");
    }

    @Test
    void aFloat32MatrixRoundsHandedOverBlocksAsItRoundsWrittenOnes() {
        BlockMatrix m = builder("F").shape(2, 1).blockSize(2).dtype(DType.FLOAT32).create();

        m.handOver(Block.wrap(2, 1, new double[] {0.1, 1e-3}), 0, 0);

        assertThat(BlockCodec.header(m.key(0, 0), store.get(m.key(0, 0))).dtype()).isEqualTo(DType.FLOAT32);
        assertThat(m.read(0, 0).data()).containsExactly((float) 0.1, (float) 1e-3);
    }

    @Test
    void aFloat32MatrixStoresBlocksAsFloat32() {
        BlockMatrix m = builder("F").shape(2, 1).blockSize(2).dtype(DType.FLOAT32).create();

        m.write(Block.wrap(2, 1, new double[] {0.1, 1e-3}), 0, 0);

        assertThat(BlockCodec.header(m.key(0, 0), store.get(m.key(0, 0))).dtype()).isEqualTo(DType.FLOAT32);
        assertThat(m.read(0, 0).data()).containsExactly((float) 0.1, (float) 1e-3);
    }

    @ParameterizedTest(name = "{0}x{1} at (2,2)")
    @CsvSource({"4,3", "2,3", "4,1", "1,2", "0,0"})
    void writingABlockOfTheWrongShapeIsRejectedNamingBothShapes(int rows, int cols) {
        BlockMatrix m = ragged();

        assertThatThrownBy(() -> m.write(Block.zeros(rows, cols), 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ns/A/2_2")
                .hasMessageContaining("must be 2x1")
                .hasMessageContaining("got " + rows + "x" + cols);
        assertThat(m.exists(2, 2)).isFalse();
    }

    @Test
    void readingAStoredBlockOfAnotherShapeIsACorruptBlock() {
        BlockMatrix m = ragged();
        store.replace(m.key(0, 0), BlockCodec.encode(Block.zeros(2, 1)));

        assertThatThrownBy(() -> m.read(0, 0))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/0_0")
                .hasMessageContaining("stored shape 2x1")
                .hasMessageContaining("expects 4x3");
    }

    @Test
    void readingADamagedBlockIsACorruptBlock() {
        BlockMatrix m = ragged();
        m.write(Block.identity(4, 3), 0, 0);
        ByteBuffer stored = store.get(m.key(0, 0));
        ByteBuffer damaged = ByteBuffer.allocate(stored.remaining());
        damaged.put(stored).flip();
        damaged.put(30, (byte) (damaged.get(30) ^ 1));
        store.replace(m.key(0, 0), damaged);

        assertThatThrownBy(() -> m.read(0, 0))
                .isInstanceOf(CorruptBlockException.class)
                .hasMessageContaining("ns/A/0_0").hasMessageContaining("checksum");
    }

    @Test
    void readingAMissingBlockThrowsBlockNotFound() {
        BlockMatrix m = ragged();

        assertThatThrownBy(() -> m.read(1, 1))
                .isInstanceOf(BlockNotFoundException.class).hasMessageContaining("ns/A/1_1");
    }

    @Test
    void deleteRemovesOneBlockAndReportsWhetherItExisted() {
        BlockMatrix m = ragged();
        m.write(Block.zeros(4, 3), 0, 0);
        m.write(Block.zeros(4, 3), 0, 1);

        assertThat(m.delete(0, 0)).isTrue();
        assertThat(m.delete(0, 0)).isFalse();
        assertThat(m.exists(0, 1)).isTrue();
    }

    // ---------------------------------------------------------------- free

    @ParameterizedTest
    @EnumSource(TestStores.class)
    void freeRemovesEveryBlockAndTheHeaderButNoOtherMatrix(TestStores kind) {
        BlockStore s = kind.open(tmp);
        BlockMatrix a = BlockMatrix.builder(s, "ns", "A").shape(10, 7).blockShape(4, 3).create();
        BlockMatrix ab = BlockMatrix.builder(s, "ns", "AB").shape(2, 2).blockSize(2).create();
        BlockMatrix b = BlockMatrix.builder(s, "ns", "B").shape(2, 2).blockSize(2).create();
        BlockMatrix otherNs = BlockMatrix.builder(s, "ns2", "A").shape(2, 2).blockSize(2).create();
        for (int i = 0; i < a.gridRows(); i++) {
            for (int j = 0; j < a.gridCols(); j++) {
                a.write(Block.zeros(a.blockRowsAt(i), a.blockColsAt(j)), i, j);
            }
        }
        for (BlockMatrix m : List.of(ab, b, otherNs)) {
            m.write(Block.identity(2, 2), 0, 0);
        }

        assertThat(a.free()).isEqualTo(10);

        assertThat(s.list(a.prefix())).isEmpty();
        assertThatThrownBy(() -> BlockMatrix.open(s, "ns", "A")).isInstanceOf(IllegalArgumentException.class);
        for (BlockMatrix m : List.of(ab, b, otherNs)) {
            assertThat(BlockMatrix.open(s, m.namespace(), m.name())).isEqualTo(m);
            assertThat(m.read(0, 0)).isEqualTo(Block.identity(2, 2));
        }
        assertThat(s.list("")).hasSize(6);
    }

    @Test
    void toStringDescribesTheMatrix() {
        BlockMatrix s = builder("S").shape(10, 7).blockShape(4, 3).leadingGrid(4).dtype(DType.FLOAT32).create();

        assertThat(s.toString()).contains("ns/S", "10x7", "4x3", "[4]", "float32", "in-memory");
    }

    @Test
    void versionedBlocksAreReadThroughTheHeaderAndTheDescription() {
        BlockMatrix plain = builder("V").shape(4, 4).blockSize(2).create();
        store.putIdempotently(plain.unversionedKey(0, 0) + ".e0a1", BlockCodec.encode(Block.identity(2, 2)));
        store.putIdempotently(plain.unversionedKey(1, 1) + ".e0a1", BlockCodec.encode(Block.identity(2, 2)));
        store.putIdempotently(plain.unversionedKey(0, 1) + ".e0a1", BlockCodec.encode(Block.zeros(2, 2)));
        store.putIdempotently(plain.unversionedKey(1, 0) + ".e1a2", BlockCodec.encode(Block.zeros(2, 2)));
        BlockVersions versions = new BlockVersions("e0a1", java.util.Map.of("1_0", "e1a2"));

        BlockMatrix published = plain.publishVersions(versions);
        assertThat(published.key(1, 0)).isEqualTo("ns/V/1_0.e1a2");
        assertThat(published.key(1, 1)).isEqualTo("ns/V/1_1.e0a1");
        BlockMatrix reopened = BlockMatrix.open(store, "ns", "V");
        assertThat(reopened).isEqualTo(published);
        assertThat(BlockMatrices.toDense(reopened).get(3, 3)).isEqualTo(1.0);
        assertThat(BlockMatrix.fromDescription(store, published.description())).isEqualTo(published);
        assertThatThrownBy(() -> plain.read(0, 0)).as("the plain key was never written")
                .isInstanceOf(BlockNotFoundException.class);
    }

    @Test
    void aBlockVersionThatIsNotOneKeySegmentIsRefused() {
        assertThatThrownBy(() -> new BlockVersions("e0a1/../x", java.util.Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block version");
        assertThatThrownBy(() -> new BlockVersions("e0a1", java.util.Map.of("0_0", "a.b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block version 'a.b'");
    }
}

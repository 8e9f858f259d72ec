package io.numpywren.npy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reader behind streaming import, with buffers far smaller than a stripe. */
class NpyValueReaderTest {
    @TempDir
    Path dir;

    private Path bigEndianDoubles(int count) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(count * 8).order(ByteOrder.BIG_ENDIAN);
        for (int k = 0; k < count; k++) {
            data.putDouble(k + 0.5);
        }
        return Files.write(dir.resolve("values.bin"), data.array());
    }

    @Test
    void readsAStripeAcrossManyRefillsOfASmallBuffer() throws IOException {
        Path file = bigEndianDoubles(40);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyValueReader reader = new NpyValueReader(channel, file, NpyDType.FLOAT64_BIG, 24);

            reader.startStripe(3 * 8, 10);
            double[] first = new double[10];
            for (int k = 0; k < first.length; k++) {
                first[k] = reader.next();
            }
            reader.startStripe(30 * 8, 2);
            double[] second = {reader.next(), reader.next()};

            assertThat(first).containsExactly(3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 10.5, 11.5, 12.5);
            assertThat(second).containsExactly(30.5, 31.5);
            assertThatThrownBy(reader::next).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("past the end of the stripe");
        }
    }

    @Test
    void aStripeBeyondTheEndOfTheFileIsTruncation() throws IOException {
        Path file = bigEndianDoubles(4);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyValueReader reader = new NpyValueReader(channel, file, NpyDType.FLOAT64_BIG, 16);
            reader.startStripe(16, 4);

            assertThat(reader.next()).isEqualTo(2.5);
            assertThat(reader.next()).isEqualTo(3.5);
            assertThatThrownBy(reader::next).isInstanceOf(NpyFormatException.class)
                    .hasMessageContaining(file + ": truncated: the file now ends at byte 32, before the data at byte 32");
        }
    }

    @Test
    void aBufferThatSplitsValuesIsRefused() {
        assertThatThrownBy(() -> new NpyValueReader(null, dir, NpyDType.FLOAT32_LITTLE, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

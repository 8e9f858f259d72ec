package io.numpywren.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads the values of one stripe of a .npy file in order, through a bounded buffer filled by
 * positional reads: memory stays at one buffer however large the file is.
 */
final class NpyValueReader {
    private final FileChannel channel;
    private final Path file;
    private final NpyDType dtype;
    private final ByteBuffer buffer;
    private long position;
    private long bytesLeft;

    /** {@code bufferBytes} must be a positive multiple of the item size, so no value straddles two reads. */
    NpyValueReader(FileChannel channel, Path file, NpyDType dtype, int bufferBytes) {
        if (bufferBytes < dtype.itemSize() || bufferBytes % dtype.itemSize() != 0) {
            throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes for " + dtype.itemSize()
                    + "-byte values");
        }
        this.channel = channel;
        this.file = file;
        this.dtype = dtype;
        this.buffer = ByteBuffer.allocate(bufferBytes).order(dtype.byteOrder());
        this.buffer.limit(0);
    }

    /** Starts reading {@code valueCount} values at byte {@code position} of the file. */
    void startStripe(long position, long valueCount) {
        this.position = position;
        this.bytesLeft = valueCount * dtype.itemSize();
        buffer.limit(0);
    }

    double next() throws IOException {
        if (!buffer.hasRemaining()) {
            refill();
        }
        return dtype.read(buffer);
    }

    private void refill() throws IOException {
        if (bytesLeft == 0) {
            throw new IllegalStateException("read past the end of the stripe");
        }
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), bytesLeft));
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new NpyFormatException(file, "truncated: the file now ends at byte " + channel.size()
                        + ", before the data at byte " + position + " (was it changed during the import?)");
            }
            position += n;
            bytesLeft -= n;
        }
        buffer.flip();
    }
}

package io.numpywren.npy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/** Writes values in order through a bounded buffer, encoding them as one .npy element type. */
final class NpyValueWriter {
    private final WritableByteChannel channel;
    private final NpyDType dtype;
    private final ByteBuffer buffer;

    /** {@code bufferBytes} must be a positive multiple of the item size. */
    NpyValueWriter(WritableByteChannel channel, NpyDType dtype, int bufferBytes) {
        if (bufferBytes < dtype.itemSize() || bufferBytes % dtype.itemSize() != 0) {
            throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes for " + dtype.itemSize()
                    + "-byte values");
        }
        this.channel = channel;
        this.dtype = dtype;
        this.buffer = ByteBuffer.allocate(bufferBytes).order(dtype.byteOrder());
    }

    void put(double value) throws IOException {
        if (!buffer.hasRemaining()) {
            flush();
        }
        dtype.write(buffer, value);
    }

    /** Writes out whatever is buffered. */
    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}

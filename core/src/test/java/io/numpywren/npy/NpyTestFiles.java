package io.numpywren.npy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fixtures from the classpath (written by npy/make_fixtures.py) and hand-made .npy files. */
final class NpyTestFiles {
    private NpyTestFiles() {
    }

    /** The fixtures' formula: exact in float32 for the shapes used, so tests can recompute it. */
    static double formula(long i, long j) {
        return i * 1000 + j + 0.25;
    }

    static byte[] fixtureBytes(String name) {
        try (InputStream in = NpyTestFiles.class.getResourceAsStream("/npy/" + name)) {
            if (in == null) {
                throw new IllegalStateException("fixture npy/" + name + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a classpath fixture into {@code dir}, so that tests work however resources are packaged. */
    static Path copyFixture(String name, Path dir) {
        return write(dir.resolve(name), fixtureBytes(name));
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A .npy file made by hand: magic, version {@code major}.0, the length field (2 bytes for
     * 1.0, 4 otherwise), the header text as given (no padding added) and the data.
     */
    static byte[] npyFile(int major, String header, byte[] data) {
        byte[] text = header.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer out = ByteBuffer.allocate(8 + lengthBytes + text.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (lengthBytes == 2) {
            out.putShort((short) text.length);
        } else {
            out.putInt(text.length);
        }
        return out.put(text).put(data).array();
    }

    /** {@code count} little-endian float64 zeros. */
    static byte[] zerosF8(int count) {
        return new byte[count * 8];
    }
}

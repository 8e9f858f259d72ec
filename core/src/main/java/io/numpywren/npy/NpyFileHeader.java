package io.numpywren.npy;

/**
 * A header as found at the start of a .npy file: the format version it was written in, what it
 * says, and the byte offset at which the data begins.
 */
public record NpyFileHeader(int majorVersion, NpyHeader header, long dataOffset) {
}

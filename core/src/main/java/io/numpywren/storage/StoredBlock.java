package io.numpywren.storage;

/**
 * What {@link BlockStore#putBlock} stored.
 *
 * @param checksum the CRC32C of the block's encoded payload, as its codec header carries it
 * @param bytes    the size of its encoding
 * @param kept     whether the store holds the given block itself (so its array is no longer
 *                 the caller's to reuse or modify)
 */
public record StoredBlock(int checksum, long bytes, boolean kept) {
}

package io.numpywren.storage;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.DType;

/**
 * A block read by {@link BlockStore#getBlock}.
 *
 * @param block  the verified values
 * @param dtype  the element type it is stored as
 * @param bytes  the size of its encoding (what a remote store would have moved)
 * @param shared whether the store itself holds {@code block}: then nobody may modify it
 * @param finite whether the store checked, when the block was put, that every value is finite;
 *               a kernel need not check such an input again
 * @param onRelease what {@link #release()} tells the store
 */
public record FetchedBlock(Block block, DType dtype, long bytes, boolean shared, boolean finite, Runnable onRelease) {
    private static final Runnable NOTHING = () -> { };

    public FetchedBlock {
        java.util.Objects.requireNonNull(onRelease, "onRelease");
    }

    /** A block the reader owns outright, or one whose store need not hear when it is done. */
    public FetchedBlock(Block block, DType dtype, long bytes, boolean shared, boolean finite) {
        this(block, dtype, bytes, shared, finite, NOTHING);
    }

    /**
     * Tells the store the reader is done with a {@link #shared()} block, which it must then no
     * longer touch. Call it at most once.
     */
    public void release() {
        onRelease.run();
    }
}

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
 */
public record FetchedBlock(Block block, DType dtype, long bytes, boolean shared, boolean finite) {
}

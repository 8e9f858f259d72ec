package io.numpywren.kernel;

import io.numpywren.matrix.Block;

import java.util.List;
import java.util.Set;

/**
 * A block kernel: a pure function from input blocks and scalar arguments to output blocks,
 * with a declared flop count. Running it twice on the same inputs gives the same bytes.
 */
public interface Kernel {

    String name();

    int minInputs();

    /** Upper bound on inputs ({@link Integer#MAX_VALUE} for n-ary kernels such as add). */
    int maxInputs();

    int outputs();

    /** Whether this kernel takes {@code count} input blocks. */
    default boolean takesInputs(int count) {
        return count >= minInputs() && count <= maxInputs();
    }

    /** The input counts it takes, for messages: "1", "2 to 3" or "at least 2". */
    default String inputCounts() {
        return minInputs() == maxInputs() ? String.valueOf(minInputs())
                : maxInputs() == Integer.MAX_VALUE ? "at least " + minInputs() : minInputs() + " to " + maxInputs();
    }

    /** Names of the scalar arguments it accepts. */
    Set<String> parameters();

    /** Floating-point operations for inputs of these shapes (each {rows, cols}). */
    long flops(List<int[]> inputShapes, KernelArgs args);

    /**
     * Validates the call (input count, argument names, finite inputs, shapes) and computes the
     * outputs. Inputs are never modified. Invalid or numerically impossible input is a
     * {@link KernelException} that says what was wrong.
     */
    List<Block> run(LinearAlgebra la, List<Block> inputs, KernelArgs args);

    /**
     * As {@link #run}, for a caller that gives the inputs up (a worker that decoded them for
     * this task alone): the kernel may overwrite an input and return it as an output, which
     * saves an accumulating kernel a block-sized allocation and copy.
     */
    default List<Block> runReusingInputs(LinearAlgebra la, List<Block> inputs, KernelArgs args) {
        return run(la, inputs, args);
    }

    /**
     * {@link #runReusingInputs} when {@code reuseInputs}, else {@link #run}, without checking
     * that input i is finite where {@code knownFinite[i]}: the caller has that from a check
     * already made (a store that checked the block when it was put).
     */
    default List<Block> run(LinearAlgebra la, List<Block> inputs, KernelArgs args, boolean reuseInputs,
                            boolean[] knownFinite) {
        return reuseInputs ? runReusingInputs(la, inputs, args) : run(la, inputs, args);
    }
}

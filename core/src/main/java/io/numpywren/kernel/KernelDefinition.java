package io.numpywren.kernel;

import io.numpywren.matrix.Block;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** A {@link Kernel} assembled from its signature, flop model and body; does the common checks. */
final class KernelDefinition implements Kernel {
    @FunctionalInterface
    interface FlopModel {
        long flops(List<int[]> shapes, KernelArgs args);
    }

    @FunctionalInterface
    interface Body {
        List<Block> run(LinearAlgebra la, List<Block> inputs, KernelArgs args);
    }

    private final String name;
    private final int minInputs;
    private final int maxInputs;
    private final int outputs;
    private final Set<String> parameters;
    private final FlopModel flopModel;
    private final Body body;
    private Body reusingBody;

    KernelDefinition(String name, int minInputs, int maxInputs, int outputs, Set<String> parameters,
                     FlopModel flopModel, Body body) {
        this.name = name;
        this.minInputs = minInputs;
        this.maxInputs = maxInputs;
        this.outputs = outputs;
        this.parameters = Set.copyOf(parameters);
        this.flopModel = flopModel;
        this.body = body;
        this.reusingBody = body;
    }

    /** Gives the body used when the caller hands over its inputs (see {@link Kernel#runReusingInputs}). */
    KernelDefinition reusingInputs(Body reusing) {
        this.reusingBody = reusing;
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int minInputs() {
        return minInputs;
    }

    @Override
    public int maxInputs() {
        return maxInputs;
    }

    @Override
    public int outputs() {
        return outputs;
    }

    @Override
    public Set<String> parameters() {
        return parameters;
    }

    @Override
    public long flops(List<int[]> inputShapes, KernelArgs args) {
        checkCall(inputShapes.size(), args);
        return flopModel.flops(inputShapes, args);
    }

    @Override
    public List<Block> run(LinearAlgebra la, List<Block> inputs, KernelArgs args) {
        return run(body, la, inputs, args, null);
    }

    @Override
    public List<Block> runReusingInputs(LinearAlgebra la, List<Block> inputs, KernelArgs args) {
        return run(reusingBody, la, inputs, args, null);
    }

    @Override
    public List<Block> run(LinearAlgebra la, List<Block> inputs, KernelArgs args, boolean reuseInputs,
                           boolean[] knownFinite) {
        if (knownFinite != null && knownFinite.length != inputs.size()) {
            throw new IllegalArgumentException("knownFinite has " + knownFinite.length + " entries for "
                    + inputs.size() + " inputs");
        }
        return run(reuseInputs ? reusingBody : body, la, inputs, args, knownFinite);
    }

    private List<Block> run(Body body, LinearAlgebra la, List<Block> inputs, KernelArgs args, boolean[] knownFinite) {
        checkCall(inputs.size(), args);
        for (int i = 0; i < inputs.size(); i++) {
            if (knownFinite != null && knownFinite[i]) {
                continue;
            }
            int[] at = inputs.get(i).firstNonFinite();
            if (at != null) {
                throw new KernelException(name, "input " + (i + 1) + " of " + inputs.size() + " ("
                        + inputs.get(i).shapeString() + ") has a non-finite value "
                        + inputs.get(i).get(at[0], at[1]) + " at (" + at[0] + "," + at[1] + ")");
            }
        }
        List<Block> result = body.run(la, inputs, args);
        if (result.size() != outputs) {
            throw new IllegalStateException("kernel " + name + " produced " + result.size() + " outputs, declared "
                    + outputs);
        }
        return result;
    }

    private void checkCall(int inputCount, KernelArgs args) {
        if (!takesInputs(inputCount)) {
            throw new KernelException(name, "expects " + inputCounts() + " input blocks, got " + inputCount);
        }
        for (String arg : args.asMap().keySet()) {
            if (!parameters.contains(arg)) {
                throw new KernelException(name, "unknown argument '" + arg + "'"
                        + (parameters.isEmpty() ? " (it takes none)" : " (it takes " + new TreeSet<>(parameters) + ")"));
            }
        }
    }

    static List<int[]> shapes(List<Block> blocks) {
        List<int[]> shapes = new ArrayList<>(blocks.size());
        for (Block b : blocks) {
            shapes.add(new int[] {b.rows(), b.cols()});
        }
        return shapes;
    }

    @Override
    public String toString() {
        return "kernel " + name;
    }
}

package io.numpywren.scheduler;

import io.numpywren.matrix.BlockMatrix;

import java.util.Map;

/**
 * The outcome of a successful job: handles on its outputs (in the store), the report, and,
 * for an SVD, the singular values computed on the driver.
 */
public record JobResult(JobReport report, Map<String, BlockMatrix> outputs, double[] singularValues) {
    public BlockMatrix output(String name) {
        BlockMatrix m = outputs.get(name);
        if (m == null) {
            throw new IllegalArgumentException("the job has no output '" + name + "' (outputs: " + outputs.keySet() + ")");
        }
        return m;
    }
}

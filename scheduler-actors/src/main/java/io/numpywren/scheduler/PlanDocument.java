package io.numpywren.scheduler;

import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.Program;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.matrix.MatrixDescription;
import io.numpywren.storage.BlockStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link JobPlan} as data, for the journal: the program's text, its integer and matrix
 * bindings (each matrix fully described, so nothing is read to rebuild it), which matrices are
 * the outputs and which the intermediates, and the job's labels.
 */
public record PlanDocument(int format, String jobId, String algorithm, String namespace, String programSource,
                           String programText, Map<String, Long> integers, Map<String, MatrixDescription> matrices,
                           Map<String, MatrixDescription> outputs, List<MatrixDescription> intermediates,
                           Map<String, String> labels) {
    static final int FORMAT = 1;

    public static PlanDocument of(JobPlan plan) {
        BoundProgram bound = plan.program();
        Program program = bound.program();
        if (program.text().isEmpty()) {
            throw new IllegalArgumentException("program " + program.name() + " has no text to record in the journal");
        }
        Map<String, MatrixDescription> matrices = new LinkedHashMap<>();
        for (String name : program.matrixParameters()) {
            matrices.put(name, bound.matrix(name).description());
        }
        Map<String, MatrixDescription> outputs = new LinkedHashMap<>();
        plan.outputs().forEach((name, m) -> outputs.put(name, m.description()));
        List<MatrixDescription> intermediates = new ArrayList<>();
        for (BlockMatrix m : plan.intermediates()) {
            intermediates.add(m.description());
        }
        return new PlanDocument(FORMAT, plan.jobId(), plan.algorithm(), plan.namespace(), program.source(), program.text(),
                bound.parameters(), matrices, outputs, intermediates, plan.labels());
    }

    /** The plan again, its matrices on {@code store}; the program is parsed and checked as when it was submitted. */
    public JobPlan toPlan(BlockStore store) {
        if (format != FORMAT) {
            throw new IllegalArgumentException("job " + jobId + " was journaled in plan format " + format
                    + ", which this version does not read (it reads " + FORMAT + ")");
        }
        Program program = Program.parse(programSource, programText);
        Map<String, BlockMatrix> bound = new LinkedHashMap<>();
        matrices.forEach((name, d) -> bound.put(name, BlockMatrix.fromDescription(store, d)));
        Map<String, BlockMatrix> outs = new LinkedHashMap<>();
        outputs.forEach((name, d) -> outs.put(name, BlockMatrix.fromDescription(store, d)));
        List<BlockMatrix> inter = new ArrayList<>();
        for (MatrixDescription d : intermediates) {
            inter.add(BlockMatrix.fromDescription(store, d));
        }
        return new JobPlan(jobId, algorithm, namespace, program.bind(integers, bound), outs, inter,
                labels == null ? Map.of() : labels);
    }
}

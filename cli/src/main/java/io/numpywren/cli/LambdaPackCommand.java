package io.numpywren.cli;

import io.numpywren.lambdapack.Analyser;
import io.numpywren.lambdapack.BoundProgram;
import io.numpywren.lambdapack.BuiltinPrograms;
import io.numpywren.lambdapack.Program;
import io.numpywren.lambdapack.Task;
import io.numpywren.lambdapack.Validator;
import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.InMemoryBlockStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code numpywren lambdapack check|dot}: validate a program's DAG, or draw a small one. */
@Command(name = "lambdapack", mixinStandardHelpOptions = true, description = "Check or draw a LAmbdaPACK program.",
        subcommands = {LambdaPackCommand.Check.class, LambdaPackCommand.Dot.class})
final class LambdaPackCommand implements Runnable {
    /** Extent of every grid dimension of the placeholder matrices: indices are checked only for sign. */
    private static final int OPEN_EXTENT = 1 << 20;
    static final int MAX_DOT_TASKS = 2000;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options shared by check and dot. */
    abstract static class ProgramOptions {
        @Parameters(index = "0", description = "a built-in program (cholesky, gemm, tsqr, qr, bdfac, trsm_forward, "
                + "trsm_backward) or a .lp file")
        String program;

        @Option(names = "-p", description = "integer parameter, e.g. -p N=8 (repeatable, one per parameter)")
        List<String> parameterOptions = new ArrayList<>();

        /** The -p options as a map; a parameter given twice, or not as NAME=INTEGER, is an error naming it. */
        Map<String, Long> parameters() {
            Map<String, Long> parameters = new LinkedHashMap<>();
            for (String option : parameterOptions) {
                int eq = option.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("-p '" + option + "' must be NAME=INTEGER, e.g. -p N=8");
                }
                String name = option.substring(0, eq).trim();
                long value;
                try {
                    value = Long.parseLong(option.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("-p " + name + " must be an integer, got '"
                            + option.substring(eq + 1) + "'");
                }
                Long before = parameters.put(name, value);
                if (before != null) {
                    throw new IllegalArgumentException("-p " + name + " is given twice (" + before + " and " + value + ")");
                }
            }
            return parameters;
        }

        Program load() {
            if (program.endsWith(".lp") || program.contains("/")) {
                Path file = Path.of(program);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("program file " + file
                            + (Files.isDirectory(file) ? " is a directory" : Files.exists(file) ? " is not a regular file"
                            : " does not exist"));
                }
                return Program.load(file);
            }
            if (!BuiltinPrograms.NAMES.contains(program)) {
                throw new IllegalArgumentException("no built-in program '" + program + "' (built-in: "
                        + String.join(", ", BuiltinPrograms.NAMES) + "; or give a .lp file)");
            }
            return Program.builtin(program);
        }

        /** Binds the parameters and placeholder matrices whose grids are open-ended. */
        BoundProgram bind(Program p) {
            InMemoryBlockStore store = new InMemoryBlockStore();
            Map<String, BlockMatrix> matrices = new HashMap<>();
            for (String name : p.matrixParameters()) {
                int rank = Math.max(2, p.matrixRank(name));
                int[] leading = new int[rank - 2];
                java.util.Arrays.fill(leading, OPEN_EXTENT);
                matrices.put(name, BlockMatrix.builder(store, "check", name).shape(OPEN_EXTENT, OPEN_EXTENT).blockSize(1)
                        .leadingGrid(leading).anyBlockShapes().create());
            }
            return p.bind(parameters(), matrices);
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Enumerate every task for the given parameters, build the explicit DAG and check it: single "
                    + "assignment, a writer for every read of a written matrix, no cycle, and the analyser's answers.")
    static final class Check extends ProgramOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            Program p = load();
            BoundProgram bound = bind(p);
            Validator.Report r = Validator.validate(bound);
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%s with %s is valid: %d tasks, %d edges, critical path of %d tasks, %d blocks written, "
                    + "%d input blocks read%n", p.name(), bound.parameters(), r.tasks(), r.edges(), r.criticalPathLength(),
                    r.blocksWritten(), r.inputBlocksRead());
            return 0;
        }
    }

    @Command(name = "dot", mixinStandardHelpOptions = true, description = "Write the task DAG as Graphviz DOT.")
    static final class Dot extends ProgramOptions implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-o", "--output"}, description = "file to write (default: standard output)")
        Path output;

        @Override
        public Integer call() throws IOException {
            OutputFiles.checkWritable(output, "--output");
            Program p = load();
            BoundProgram bound = bind(p);
            Analyser analyser = bound.analyser();
            java.util.OptionalLong count = analyser.taskCountUpTo(MAX_DOT_TASKS, 10_000_000);
            if (count.isEmpty() || count.getAsLong() > MAX_DOT_TASKS) {
                throw new IllegalArgumentException("the DAG has more than " + MAX_DOT_TASKS + " tasks, the most dot "
                        + "draws (use smaller parameters)");
            }
            List<Task> tasks = new ArrayList<>();
            analyser.forEachTask(tasks::add);
            Map<Task, Integer> ids = new HashMap<>();
            StringBuilder dot = new StringBuilder("digraph \"" + p.name() + "\" {\n  node [shape=box, fontsize=10];\n");
            for (Task t : tasks) {
                ids.put(t, ids.size());
                dot.append("  t").append(ids.get(t)).append(" [label=\"")
                        .append(bound.describe(t).replace("\"", "\\\"")).append("\"];\n");
            }
            for (Task t : tasks) {
                for (Task child : analyser.children(t)) {
                    dot.append("  t").append(ids.get(t)).append(" -> t").append(ids.get(child)).append(";\n");
                }
            }
            dot.append("}\n");
            if (output == null) {
                spec.commandLine().getOut().print(dot);
                spec.commandLine().getOut().flush();
            } else {
                Files.writeString(output, dot, StandardCharsets.UTF_8);
                spec.commandLine().getOut().printf("wrote %d tasks to %s%n", tasks.size(), output);
            }
            return 0;
        }
    }
}

package io.numpywren.lambdapack;

import io.numpywren.matrix.BlockMatrix;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed and checked LAmbdaPACK program. Bind it to integer parameters and matrices to get a
 * {@link BoundProgram}, whose {@link Analyser} answers dependency questions.
 */
public final class Program {
    private final String source;
    private final String name;
    private final List<String> intParameters;
    private final List<String> matrixParameters;
    private final List<Integer> matrixRanks;
    private final List<Statement> statements;
    private final int maxDepth;
    /** The program's text, as parsed: what a job's journal records to parse it again on resumption. */
    private final String text;

    Program(String source, String name, List<String> intParameters, List<String> matrixParameters,
            List<Integer> matrixRanks, List<Statement> statements, int maxDepth) {
        this.source = source;
        this.name = name;
        this.intParameters = List.copyOf(intParameters);
        this.matrixParameters = List.copyOf(matrixParameters);
        this.matrixRanks = List.copyOf(matrixRanks);
        this.statements = List.copyOf(statements);
        this.maxDepth = maxDepth;
        this.text = "";
    }

    private Program(Program checked, String text) {
        this.source = checked.source;
        this.name = checked.name;
        this.intParameters = checked.intParameters;
        this.matrixParameters = checked.matrixParameters;
        this.matrixRanks = checked.matrixRanks;
        this.statements = checked.statements;
        this.maxDepth = checked.maxDepth;
        this.text = text;
    }

    /** Parses and checks {@code text}; {@code sourceName} names it in error messages. */
    public static Program parse(String sourceName, String text) {
        return new Program(Checker.check(sourceName, Parser.parse(sourceName, text)), text);
    }

    /** Parses and checks a {@code .lp} file. */
    public static Program load(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
        } catch (java.nio.charset.CharacterCodingException notText) {
            throw new LambdaPackException(file.toString(), "not a LAmbdaPACK program: the file is not UTF-8 text "
                    + "(a binary file?)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read LAmbdaPACK program " + file + ": " + e, e);
        }
    }

    /** A built-in program shipped as a resource: {@code cholesky}, {@code gemm}, ... */
    public static Program builtin(String name) {
        String resource = name + ".lp";
        try (InputStream in = Program.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no built-in LAmbdaPACK program '" + name + "' (built-in: "
                        + String.join(", ", BuiltinPrograms.NAMES) + ")");
            }
            return parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read built-in program " + resource, e);
        }
    }

    /** The name the program was parsed under (a file's name), as errors cite it. */
    public String source() {
        return source;
    }

    /** The program's text, as parsed. */
    public String text() {
        return text;
    }

    public String name() {
        return name;
    }

    public List<String> intParameters() {
        return intParameters;
    }

    public List<String> matrixParameters() {
        return matrixParameters;
    }

    /** Number of block indices the program uses for {@code matrix} (0 when it never indexes it). */
    public int matrixRank(String matrix) {
        int i = matrixParameters.indexOf(matrix);
        if (i < 0) {
            throw new IllegalArgumentException("program " + name + " has no matrix parameter '" + matrix + "'");
        }
        return matrixRanks.get(i);
    }

    public int statementCount() {
        return statements.size();
    }

    /** The source form of a kernel call, e.g. {@code O[j,0] = trsm(O[0,0], I[j,0])}. */
    public String statementText(int statement) {
        return statements.get(statement).text;
    }

    public String kernelName(int statement) {
        return statements.get(statement).kernel.name();
    }

    /** Loop variables enclosing the statement, outer first. */
    public List<String> loopVariables(int statement) {
        List<String> names = new ArrayList<>();
        for (Statement.Loop loop : statements.get(statement).loops) {
            names.add(loop.variable());
        }
        return names;
    }

    List<Statement> statements() {
        return statements;
    }

    int maxDepth() {
        return maxDepth;
    }

    /**
     * Binds every parameter: integers by name and matrices by name. Missing or unknown names,
     * and matrices whose block grid does not have the rank the program indexes them with, are
     * rejected.
     */
    public BoundProgram bind(Map<String, Long> integers, Map<String, BlockMatrix> matrices) {
        long[] values = new long[intParameters.size()];
        for (int i = 0; i < intParameters.size(); i++) {
            Long v = integers.get(intParameters.get(i));
            if (v == null) {
                throw new LambdaPackException(source, "integer parameter '" + intParameters.get(i) + "' is not bound");
            }
            values[i] = v;
        }
        for (String given : integers.keySet()) {
            if (!intParameters.contains(given)) {
                throw new LambdaPackException(source, "program " + name + " has no integer parameter '" + given
                        + "' (it has " + intParameters + ")");
            }
        }
        List<BlockMatrix> bound = new ArrayList<>();
        for (int m = 0; m < matrixParameters.size(); m++) {
            String matrix = matrixParameters.get(m);
            BlockMatrix handle = matrices.get(matrix);
            if (handle == null) {
                throw new LambdaPackException(source, "matrix parameter '" + matrix + "' is not bound");
            }
            int rank = matrixRanks.get(m);
            if (rank != 0 && handle.gridRank() != rank) {
                throw new LambdaPackException(source, "matrix " + matrix + " is indexed with " + rank
                        + " block indices but " + handle.name() + " has a " + handle.gridRank() + "-D block grid");
            }
            bound.add(handle);
        }
        for (String given : matrices.keySet()) {
            if (!matrixParameters.contains(given)) {
                throw new LambdaPackException(source, "program " + name + " has no matrix parameter '" + given
                        + "' (it has " + matrixParameters + ")");
            }
        }
        return new BoundProgram(this, values, bound);
    }

    /** Convenience for integer-only bindings in tests and tools. */
    public static Map<String, Long> ints(Object... namesAndValues) {
        Map<String, Long> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put((String) namesAndValues[i], ((Number) namesAndValues[i + 1]).longValue());
        }
        return map;
    }

    @Override
    public String toString() {
        return "LAmbdaPACK program " + name + " (" + source + ", " + statements.size() + " kernel calls)";
    }
}

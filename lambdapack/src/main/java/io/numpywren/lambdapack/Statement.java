package io.numpywren.lambdapack;

import io.numpywren.kernel.Kernel;

import java.util.List;

/**
 * One kernel call of a checked program, with everything the analyser needs to enumerate and
 * solve for its tasks: its enclosing loops (outer first), the if-conditions it sits under,
 * and its block references, all compiled over the slot environment.
 */
final class Statement {
    /** An enclosing {@code for}; its bounds depend on parameters and outer loops only. */
    record Loop(String variable, int slot, ScalarExpr start, ScalarExpr stop, ScalarExpr step, boolean logarithmic) {
    }

    /** An enclosing {@code if} condition and the branch the statement is in. */
    record Guard(ScalarExpr condition, boolean expected) {
    }

    /**
     * {@code M[e1, ..., ek]}: a block of matrix parameter number {@code matrix}. When
     * {@code slice} is not null one index was written {@code start:stop}: that index is the
     * slice's own variable, and the reference stands for one block per value of it, in order.
     */
    record Reference(int matrix, String matrixName, List<ScalarExpr> indices, String text, Ast.Position position,
                     Loop slice) {
        boolean sliced() {
            return slice != null;
        }
    }

    final int id;
    final Kernel kernel;
    final Ast.Position position;
    final List<Loop> loops;
    final List<Guard> guards;
    final List<Reference> outputs;
    final List<Reference> inputs;
    final List<String> argumentNames;
    final List<ScalarExpr> argumentValues;
    final String text;

    Statement(int id, Kernel kernel, Ast.Position position, List<Loop> loops, List<Guard> guards,
              List<Reference> outputs, List<Reference> inputs, List<String> argumentNames,
              List<ScalarExpr> argumentValues, String text) {
        this.id = id;
        this.kernel = kernel;
        this.position = position;
        this.loops = List.copyOf(loops);
        this.guards = List.copyOf(guards);
        this.outputs = List.copyOf(outputs);
        this.inputs = List.copyOf(inputs);
        this.argumentNames = List.copyOf(argumentNames);
        this.argumentValues = List.copyOf(argumentValues);
        this.text = text;
    }

    int depth() {
        return loops.size();
    }

    /** For messages: {@code "O[j,0] = trsm(...) (line 4)"}. */
    String describe() {
        return text + " (line " + position.line() + ")";
    }
}

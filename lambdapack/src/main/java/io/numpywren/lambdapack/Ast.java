package io.numpywren.lambdapack;

import java.util.List;

/**
 * The syntax tree of a LAmbdaPACK program, as the parser produces it. Every node carries the
 * position of its first token so that the checker's errors can point at it.
 */
public final class Ast {
    private Ast() {
    }

    /** 1-based line and column in the source text. */
    /** Where in which source a node starts; {@code source} names the file (or text) the program came from. */
    public record Position(String source, int line, int column) {
        @Override
        public String toString() {
            return "line " + line + ", column " + column;
        }
    }

    /** {@code def name(params):} followed by its body. */
    public record ProgramDef(String name, List<Param> params, List<Stmt> body, Position position) {
    }

    public enum ParamType {
        /** Written {@code BigMatrix} in the source. */
        MATRIX,
        /** Written {@code int}. */
        INT
    }

    public record Param(String name, ParamType type, Position position) {
    }

    /** A statement: a loop, a conditional, a scalar assignment or a kernel call. */
    public sealed interface Stmt permits For, If, Assign, KernelCall {
        Position position();
    }

    /** {@code for var in range(start, stop, step):}; step is 1 when not written. */
    public record For(String variable, Expr start, Expr stop, Expr step, List<Stmt> body, Position position)
            implements Stmt {
    }

    /** {@code if cond: ... else: ...}; {@code elif} becomes a nested If in the else branch. */
    public record If(Expr condition, List<Stmt> then, List<Stmt> otherwise, Position position) implements Stmt {
    }

    /** {@code name = expr}: a scalar. */
    public record Assign(String variable, Expr value, Position position) implements Stmt {
    }

    /** {@code O1[..], O2[..] = kernel(I1[..], I2[..], name=expr, ...)}. */
    public record KernelCall(List<BlockReference> outputs, String kernel, List<BlockReference> inputs,
                             List<KeywordArg> arguments, Position position) implements Stmt {
    }

    /** {@code M[e1, e2, ...]}: one block of a matrix. */
    public record BlockReference(String matrix, List<Expr> indices, Position position) {
    }

    /** {@code name=expr}: a scalar argument of a kernel call. */
    public record KeywordArg(String name, Expr value, Position position) {
    }

    /** A scalar expression. */
    public sealed interface Expr permits IntLiteral, RealLiteral, Name, Unary, Binary, Call, Slice {
        Position position();
    }

    public record IntLiteral(long value, Position position) implements Expr {
    }

    public record RealLiteral(double value, Position position) implements Expr {
    }

    /** A parameter, loop variable or scalar; {@code True} and {@code False} are names too. */
    public record Name(String name, Position position) implements Expr {
    }

    public enum UnaryOp { NEGATE, NOT }

    public record Unary(UnaryOp op, Expr operand, Position position) implements Expr {
    }

    public enum BinaryOp {
        ADD("+"), SUBTRACT("-"), MULTIPLY("*"), DIVIDE("/"), FLOOR_DIVIDE("//"), MODULO("%"), POWER("**"),
        LESS("<"), LESS_EQUAL("<="), GREATER(">"), GREATER_EQUAL(">="), EQUAL("=="), NOT_EQUAL("!="),
        AND("and"), OR("or");

        private final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public record Binary(BinaryOp op, Expr left, Expr right, Position position) implements Expr {
    }

    /**
     * {@code start:stop}, only as a block index of a kernel input: the reference stands for the
     * blocks at every index from start (inclusive) to stop (exclusive), in order.
     */
    public record Slice(Expr start, Expr stop, Position position) implements Expr {
    }

    /** {@code ceiling(x)}, {@code floor(x)}, {@code log(x)}, {@code min(a, b)}, {@code max(a, b)}. */
    public record Call(String function, List<Expr> arguments, Position position) implements Expr {
    }
}

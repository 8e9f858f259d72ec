package io.numpywren.lambdapack;

/**
 * A program that cannot be parsed, checked or bound. The message starts with where the
 * problem is ({@code name.lp:12:9}) and says what was wrong or expected.
 */
public class LambdaPackException extends IllegalArgumentException {
    private final String source;
    private final int line;
    private final int column;

    public LambdaPackException(String source, Ast.Position position, String message) {
        super(source + ":" + position.line() + ":" + position.column() + ": " + message);
        this.source = source;
        this.line = position.line();
        this.column = position.column();
    }

    /** An error that belongs to no single place (a binding error, for instance). */
    public LambdaPackException(String source, String message) {
        super(source + ": " + message);
        this.source = source;
        this.line = 0;
        this.column = 0;
    }

    public String source() {
        return source;
    }

    /** 1-based line, or 0 when the error has no position. */
    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}

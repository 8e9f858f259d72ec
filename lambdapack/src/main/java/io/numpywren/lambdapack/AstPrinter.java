package io.numpywren.lambdapack;

import java.util.stream.Collectors;

/** Renders expressions back to source form for messages: {@code S[i+1,j,k]}. */
final class AstPrinter {
    private AstPrinter() {
    }

    static String print(Ast.Expr e) {
        return print(e, 0);
    }

    private static int precedence(Ast.BinaryOp op) {
        return switch (op) {
            case OR -> 1;
            case AND -> 2;
            case LESS, LESS_EQUAL, GREATER, GREATER_EQUAL, EQUAL, NOT_EQUAL -> 4;
            case ADD, SUBTRACT -> 5;
            case MULTIPLY, DIVIDE, FLOOR_DIVIDE, MODULO -> 6;
            case POWER -> 8;
        };
    }

    private static String print(Ast.Expr e, int outer) {
        if (e instanceof Ast.IntLiteral i) {
            return Long.toString(i.value());
        }
        if (e instanceof Ast.RealLiteral r) {
            return Double.toString(r.value());
        }
        if (e instanceof Ast.Name n) {
            return n.name();
        }
        if (e instanceof Ast.Unary u) {
            String s = u.op() == Ast.UnaryOp.NOT ? "not " + print(u.operand(), 3) : "-" + print(u.operand(), 7);
            return outer > (u.op() == Ast.UnaryOp.NOT ? 3 : 7) ? "(" + s + ")" : s;
        }
        if (e instanceof Ast.Binary b) {
            int p = precedence(b.op());
            boolean words = b.op() == Ast.BinaryOp.AND || b.op() == Ast.BinaryOp.OR;
            String op = words ? " " + b.op().symbol() + " " : b.op().symbol();
            // Left-associative except **: the right operand of a-b needs parentheses at equal precedence.
            int leftOuter = b.op() == Ast.BinaryOp.POWER ? p + 1 : p;
            int rightOuter = b.op() == Ast.BinaryOp.POWER ? p : p + 1;
            String s = print(b.left(), leftOuter) + op + print(b.right(), rightOuter);
            return p < outer ? "(" + s + ")" : s;
        }
        if (e instanceof Ast.Slice s) {
            return print(s.start(), 0) + ":" + print(s.stop(), 0);
        }
        Ast.Call c = (Ast.Call) e;
        return c.function() + "(" + c.arguments().stream().map(a -> print(a, 0)).collect(Collectors.joining(", ")) + ")";
    }
}

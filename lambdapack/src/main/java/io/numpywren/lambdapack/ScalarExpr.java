package io.numpywren.lambdapack;

import java.util.List;

/**
 * A checked, compiled scalar expression over an environment of longs: the program's integer
 * parameters followed by its loop variables (slot = parameter count + loop depth). Scalar
 * assignments are inlined by the checker, so every expression depends on parameters and loop
 * variables only, which is what lets the analyser solve index equations.
 */
abstract class ScalarExpr {
    enum Type { INT, REAL, BOOL }

    /** Snap distance for ceiling/floor, so that ceiling(log(8)/log(2)) is 3 and not 4. */
    private static final double SNAP = 1e-9;

    final Type type;
    final Ast.Position position;
    /**
     * Nodes in the expression with every inlined scalar written out (shared subexpressions counted each
     * time they are used, as evaluation visits them), saturating at {@link Long#MAX_VALUE}; and the
     * longest path from here to a leaf. The checker bounds both, so evaluation can neither take
     * exponential time nor overflow the stack.
     */
    final long size;
    final int depth;

    ScalarExpr(Type type, Ast.Position position) {
        this(type, position, List.of());
    }

    ScalarExpr(Type type, Ast.Position position, List<ScalarExpr> operands) {
        this.type = type;
        this.position = position;
        long nodes = 1;
        int deepest = 0;
        for (ScalarExpr e : operands) {
            nodes = nodes > Long.MAX_VALUE - e.size ? Long.MAX_VALUE : nodes + e.size;
            deepest = Math.max(deepest, e.depth);
        }
        this.size = nodes;
        this.depth = deepest + 1;
    }

    /** An error of evaluation, at this expression's place in its source. */
    LambdaPackException failure(String message) {
        return new LambdaPackException(position.source(), position, message);
    }

    /** {@code x op y} when it fits in a long, else an error that names the operation and the place. */
    long exact(String op, long x, long y) {
        try {
            return switch (op) {
                case "+" -> Math.addExact(x, y);
                case "-" -> Math.subtractExact(x, y);
                case "*" -> Math.multiplyExact(x, y);
                default -> throw new IllegalStateException("not an exact operation: " + op);
            };
        } catch (ArithmeticException overflow) {
            throw failure("integer overflow: " + x + " " + op + " " + y + " does not fit in 64 bits");
        }
    }

    long evalInt(long[] env) {
        throw new IllegalStateException(type + " expression evaluated as an integer at " + position);
    }

    double evalReal(long[] env) {
        return evalInt(env);
    }

    boolean evalBool(long[] env) {
        throw new IllegalStateException(type + " expression evaluated as a boolean at " + position);
    }

    /** The value as a kernel argument: Long, Double or Boolean. */
    Object evalObject(long[] env) {
        return switch (type) {
            case INT -> evalInt(env);
            case REAL -> evalReal(env);
            case BOOL -> evalBool(env);
        };
    }

    /** Whether the expression reads {@code slot}. */
    abstract boolean uses(int slot);

    /**
     * Whether the expression is affine in {@code slot} once every other slot is fixed: the
     * slot appears only under +, −, negation, and products whose other factor does not use it.
     */
    abstract boolean affineIn(int slot);

    /** Highest slot read, or −1 for a constant. */
    abstract int maxSlot();

    static ScalarExpr intConstant(long value, Ast.Position position) {
        return new Leaf(Type.INT, position) {
            @Override
            long evalInt(long[] env) {
                return value;
            }
        };
    }

    static ScalarExpr realConstant(double value, Ast.Position position) {
        return new Leaf(Type.REAL, position) {
            @Override
            double evalReal(long[] env) {
                return value;
            }
        };
    }

    static ScalarExpr boolConstant(boolean value, Ast.Position position) {
        return new Leaf(Type.BOOL, position) {
            @Override
            boolean evalBool(long[] env) {
                return value;
            }
        };
    }

    static ScalarExpr slot(int slot, Ast.Position position) {
        return new ScalarExpr(Type.INT, position) {
            @Override
            long evalInt(long[] env) {
                return env[slot];
            }

            @Override
            boolean uses(int s) {
                return s == slot;
            }

            @Override
            boolean affineIn(int s) {
                return true;
            }

            @Override
            int maxSlot() {
                return slot;
            }
        };
    }

    /** A constant of a non-integer type. */
    private abstract static class Leaf extends ScalarExpr {
        Leaf(Type type, Ast.Position position) {
            super(type, position);
        }

        @Override
        boolean uses(int slot) {
            return false;
        }

        @Override
        boolean affineIn(int slot) {
            return true;
        }

        @Override
        int maxSlot() {
            return -1;
        }
    }

    /** A node with operands; affinity is decided by the operator. */
    abstract static class Node extends ScalarExpr {
        final List<ScalarExpr> operands;

        Node(Type type, Ast.Position position, List<ScalarExpr> operands) {
            super(type, position, operands);
            this.operands = operands;
        }

        @Override
        boolean uses(int slot) {
            for (ScalarExpr e : operands) {
                if (e.uses(slot)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        boolean affineIn(int slot) {
            return !uses(slot);
        }

        @Override
        int maxSlot() {
            int max = -1;
            for (ScalarExpr e : operands) {
                max = Math.max(max, e.maxSlot());
            }
            return max;
        }
    }

    static ScalarExpr negate(ScalarExpr x, Ast.Position position) {
        return new Node(x.type, position, List.of(x)) {
            @Override
            long evalInt(long[] env) {
                return exact("-", 0, x.evalInt(env));
            }

            @Override
            double evalReal(long[] env) {
                return -x.evalReal(env);
            }

            @Override
            boolean affineIn(int slot) {
                return x.affineIn(slot);
            }
        };
    }

    static ScalarExpr not(ScalarExpr x, Ast.Position position) {
        return new Node(Type.BOOL, position, List.of(x)) {
            @Override
            boolean evalBool(long[] env) {
                return !x.evalBool(env);
            }
        };
    }

    static ScalarExpr arithmetic(Ast.BinaryOp op, ScalarExpr a, ScalarExpr b, Type type, Ast.Position position) {
        return new Node(type, position, List.of(a, b)) {
            @Override
            long evalInt(long[] env) {
                long x = a.evalInt(env);
                long y = b.evalInt(env);
                switch (op) {
                    case ADD:
                        return exact("+", x, y);
                    case SUBTRACT:
                        return exact("-", x, y);
                    case MULTIPLY:
                        return exact("*", x, y);
                    case FLOOR_DIVIDE:
                        checkDivisor(y);
                        if (x == Long.MIN_VALUE && y == -1) {
                            throw failure("integer overflow: " + x + " // " + y + " does not fit in 64 bits");
                        }
                        return Math.floorDiv(x, y);
                    case MODULO:
                        checkDivisor(y);
                        return Math.floorMod(x, y);
                    case POWER:
                        return power(x, y);
                    default:
                        throw new IllegalStateException(op + " is not an integer operation");
                }
            }

            private void checkDivisor(long y) {
                if (y == 0) {
                    throw failure("integer division by zero");
                }
            }

            /** By squaring, so that even 1 ** (10 ** 18) takes microseconds. */
            private long power(long base, long exponent) {
                if (exponent < 0) {
                    throw failure("negative integer exponent " + exponent + " (write a real base, 2.0 ** -1, for a fraction)");
                }
                try {
                    long result = 1;
                    long square = base;
                    for (long e = exponent; e > 0; e >>= 1) {
                        if ((e & 1) == 1) {
                            result = Math.multiplyExact(result, square);
                        }
                        if (e > 1) {
                            square = Math.multiplyExact(square, square);
                        }
                    }
                    return result;
                } catch (ArithmeticException overflow) {
                    throw failure("integer overflow: " + base + " ** " + exponent + " does not fit in 64 bits");
                }
            }

            @Override
            double evalReal(long[] env) {
                if (type == Type.INT) {
                    return evalInt(env);
                }
                double x = a.evalReal(env);
                double y = b.evalReal(env);
                if (y == 0 && (op == Ast.BinaryOp.DIVIDE || op == Ast.BinaryOp.FLOOR_DIVIDE
                        || op == Ast.BinaryOp.MODULO)) {
                    // Real division would yield an infinity that surfaces later as a baffling "ceiling of Infinity".
                    throw failure("division by zero");
                }
                return switch (op) {
                    case ADD -> x + y;
                    case SUBTRACT -> x - y;
                    case MULTIPLY -> x * y;
                    case DIVIDE -> x / y;
                    case FLOOR_DIVIDE -> Math.floor(x / y);
                    case MODULO -> x - Math.floor(x / y) * y;
                    case POWER -> Math.pow(x, y);
                    default -> throw new IllegalStateException(op + " is not an arithmetic operation");
                };
            }

            @Override
            boolean affineIn(int slot) {
                return switch (op) {
                    case ADD, SUBTRACT -> a.affineIn(slot) && b.affineIn(slot);
                    case MULTIPLY -> (!a.uses(slot) && b.affineIn(slot)) || (!b.uses(slot) && a.affineIn(slot));
                    default -> !uses(slot);
                };
            }
        };
    }

    static ScalarExpr comparison(Ast.BinaryOp op, ScalarExpr a, ScalarExpr b, Ast.Position position) {
        boolean integers = a.type == Type.INT && b.type == Type.INT;
        boolean booleans = a.type == Type.BOOL && b.type == Type.BOOL;
        return new Node(Type.BOOL, position, List.of(a, b)) {
            @Override
            boolean evalBool(long[] env) {
                if (booleans) {
                    boolean x = a.evalBool(env);
                    boolean y = b.evalBool(env);
                    return op == Ast.BinaryOp.EQUAL ? x == y : x != y;
                }
                int c = integers ? Long.compare(a.evalInt(env), b.evalInt(env))
                        : Double.compare(a.evalReal(env), b.evalReal(env));
                return switch (op) {
                    case LESS -> c < 0;
                    case LESS_EQUAL -> c <= 0;
                    case GREATER -> c > 0;
                    case GREATER_EQUAL -> c >= 0;
                    case EQUAL -> c == 0;
                    case NOT_EQUAL -> c != 0;
                    default -> throw new IllegalStateException(op + " is not a comparison");
                };
            }
        };
    }

    static ScalarExpr logical(Ast.BinaryOp op, ScalarExpr a, ScalarExpr b, Ast.Position position) {
        return new Node(Type.BOOL, position, List.of(a, b)) {
            @Override
            boolean evalBool(long[] env) {
                return op == Ast.BinaryOp.AND ? a.evalBool(env) && b.evalBool(env) : a.evalBool(env) || b.evalBool(env);
            }
        };
    }

    /** ceiling or floor of a real, snapped to the nearest integer when within {@link #SNAP}. */
    static ScalarExpr rounding(boolean ceiling, ScalarExpr x, Ast.Position position) {
        return new Node(Type.INT, position, List.of(x)) {
            @Override
            long evalInt(long[] env) {
                if (x.type == Type.INT) {
                    return x.evalInt(env);
                }
                double v = x.evalReal(env);
                if (!Double.isFinite(v)) {
                    throw failure((ceiling ? "ceiling" : "floor") + " of " + v);
                }
                if (Math.abs(v) >= 0x1p63) {
                    throw failure("integer overflow: " + (ceiling ? "ceiling" : "floor") + " of " + v
                            + " does not fit in 64 bits");
                }
                double nearest = Math.rint(v);
                if (Math.abs(v - nearest) <= SNAP * Math.max(1.0, Math.abs(v))) {
                    return (long) nearest;
                }
                return (long) (ceiling ? Math.ceil(v) : Math.floor(v));
            }
        };
    }

    /** Natural logarithm, or log to a base with two arguments. */
    static ScalarExpr log(List<ScalarExpr> args, Ast.Position position) {
        return new Node(Type.REAL, position, args) {
            @Override
            double evalReal(long[] env) {
                double x = args.get(0).evalReal(env);
                if (!(x > 0)) {
                    throw failure("log of " + x + " (it needs a positive number)");
                }
                double v = Math.log(x);
                return args.size() == 2 ? v / Math.log(args.get(1).evalReal(env)) : v;
            }
        };
    }

    static ScalarExpr extremum(boolean max, List<ScalarExpr> args, Type type, Ast.Position position) {
        return new Node(type, position, args) {
            @Override
            long evalInt(long[] env) {
                long best = args.get(0).evalInt(env);
                for (int i = 1; i < args.size(); i++) {
                    long v = args.get(i).evalInt(env);
                    best = max ? Math.max(best, v) : Math.min(best, v);
                }
                return best;
            }

            @Override
            double evalReal(long[] env) {
                if (type == Type.INT) {
                    return evalInt(env);
                }
                double best = args.get(0).evalReal(env);
                for (int i = 1; i < args.size(); i++) {
                    double v = args.get(i).evalReal(env);
                    best = max ? Math.max(best, v) : Math.min(best, v);
                }
                return best;
            }
        };
    }
}

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

    ScalarExpr(Type type, Ast.Position position) {
        this.type = type;
        this.position = position;
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
            super(type, position);
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
                return -x.evalInt(env);
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
                        return x + y;
                    case SUBTRACT:
                        return x - y;
                    case MULTIPLY:
                        return x * y;
                    case FLOOR_DIVIDE:
                        checkDivisor(y);
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
                    throw new ArithmeticException("integer division by zero at " + position);
                }
            }

            private long power(long base, long exponent) {
                if (exponent < 0) {
                    throw new ArithmeticException("negative integer exponent " + exponent + " at " + position);
                }
                long result = 1;
                for (long e = 0; e < exponent; e++) {
                    result = Math.multiplyExact(result, base);
                }
                return result;
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
                    throw new ArithmeticException("division by zero at " + position);
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
                    throw new ArithmeticException((ceiling ? "ceiling" : "floor") + " of " + v + " at " + position);
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
                    throw new ArithmeticException("log of " + x + " at " + position + " (it needs a positive number)");
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

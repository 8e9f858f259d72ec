package io.numpywren.lambdapack;

import io.numpywren.kernel.Kernel;
import io.numpywren.kernel.Kernels;
import io.numpywren.lambdapack.ScalarExpr.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a parsed program and compiles it: names resolve, scalars have the right types, block
 * indices are integers, kernels exist with the right arity and arguments, every matrix is
 * referenced with one rank, and index expressions are affine in loop variables (a variable
 * with a logarithmic range, such as a tree level, may appear non-affinely: the analyser
 * enumerates it). Scalar assignments are inlined into the expressions that use them.
 */
final class Checker {
    private sealed interface Binding permits IntParam, MatrixParam, LoopVar, Scalar {
    }

    private record IntParam(int slot) implements Binding {
    }

    private record MatrixParam(int index) implements Binding {
    }

    private record LoopVar(int slot, Statement.Loop loop) implements Binding {
    }

    private record Scalar(ScalarExpr value) implements Binding {
    }

    private final String source;
    private final List<String> intParams = new ArrayList<>();
    private final List<String> matrixParams = new ArrayList<>();
    private final Map<Integer, Integer> matrixRanks = new HashMap<>();
    private final List<Statement> statements = new ArrayList<>();
    private int maxDepth;

    private Checker(String source) {
        this.source = source;
    }

    static Program check(String source, Ast.ProgramDef def) {
        return new Checker(source).run(def);
    }

    private LambdaPackException error(Ast.Position position, String message) {
        return new LambdaPackException(source, position, message);
    }

    private Program run(Ast.ProgramDef def) {
        Map<String, Binding> scope = new LinkedHashMap<>();
        for (Ast.Param p : def.params()) {
            if (scope.containsKey(p.name())) {
                throw error(p.position(), "parameter '" + p.name() + "' is declared twice");
            }
            if (p.type() == Ast.ParamType.INT) {
                scope.put(p.name(), new IntParam(intParams.size()));
                intParams.add(p.name());
            } else {
                scope.put(p.name(), new MatrixParam(matrixParams.size()));
                matrixParams.add(p.name());
            }
        }
        walk(def.body(), scope, new ArrayList<>(), new ArrayList<>());
        if (statements.isEmpty()) {
            throw error(def.position(), "program '" + def.name() + "' calls no kernel");
        }
        List<Integer> ranks = new ArrayList<>();
        for (int m = 0; m < matrixParams.size(); m++) {
            ranks.add(matrixRanks.getOrDefault(m, 0));
        }
        return new Program(source, def.name(), intParams, matrixParams, ranks, statements, maxDepth);
    }

    private void walk(List<Ast.Stmt> body, Map<String, Binding> outer, List<Statement.Loop> loops,
                      List<Statement.Guard> guards) {
        Map<String, Binding> scope = new LinkedHashMap<>(outer);
        for (Ast.Stmt stmt : body) {
            if (stmt instanceof Ast.For f) {
                checkLoop(f, scope, loops, guards);
            } else if (stmt instanceof Ast.If i) {
                ScalarExpr condition = compile(i.condition(), scope);
                if (condition.type != Type.BOOL) {
                    throw error(i.condition().position(), "an if condition must be a comparison or boolean, got "
                            + describe(condition.type));
                }
                guards.add(new Statement.Guard(condition, true));
                walk(i.then(), scope, loops, guards);
                guards.set(guards.size() - 1, new Statement.Guard(condition, false));
                walk(i.otherwise(), scope, loops, guards);
                guards.remove(guards.size() - 1);
            } else if (stmt instanceof Ast.Assign a) {
                Binding existing = scope.get(a.variable());
                if (existing != null && !(existing instanceof Scalar)) {
                    throw error(a.position(), "cannot assign to '" + a.variable() + "': it is a "
                            + kind(existing));
                }
                scope.put(a.variable(), new Scalar(compile(a.value(), scope)));
            } else if (stmt instanceof Ast.KernelCall call) {
                statements.add(checkCall(call, scope, loops, guards));
            }
        }
    }

    private void checkLoop(Ast.For f, Map<String, Binding> scope, List<Statement.Loop> loops,
                           List<Statement.Guard> guards) {
        Binding existing = scope.get(f.variable());
        if (existing != null && !(existing instanceof Scalar)) {
            throw error(f.position(), "loop variable '" + f.variable() + "' is already a " + kind(existing));
        }
        ScalarExpr start = integer(f.start(), scope, "a range start");
        ScalarExpr stop = integer(f.stop(), scope, "a range stop");
        ScalarExpr step = integer(f.step(), scope, "a range step");
        int slot = intParams.size() + loops.size();
        Statement.Loop loop = new Statement.Loop(f.variable(), slot, start, stop, step, callsLog(f.stop()));
        Map<String, Binding> inner = new LinkedHashMap<>(scope);
        inner.put(f.variable(), new LoopVar(slot, loop));
        loops.add(loop);
        maxDepth = Math.max(maxDepth, loops.size());
        walk(f.body(), inner, loops, guards);
        loops.remove(loops.size() - 1);
    }

    private static boolean callsLog(Ast.Expr e) {
        if (e instanceof Ast.Call c) {
            return c.function().equals("log") || c.arguments().stream().anyMatch(Checker::callsLog);
        }
        if (e instanceof Ast.Binary b) {
            return callsLog(b.left()) || callsLog(b.right());
        }
        if (e instanceof Ast.Unary u) {
            return callsLog(u.operand());
        }
        return false;
    }

    private Statement checkCall(Ast.KernelCall call, Map<String, Binding> scope, List<Statement.Loop> loops,
                                List<Statement.Guard> guards) {
        if (!Kernels.exists(call.kernel())) {
            throw error(call.position(), "unknown kernel '" + call.kernel() + "' (known: "
                    + Kernels.all().stream().map(Kernel::name).collect(Collectors.joining(", ")) + ")");
        }
        Kernel kernel = Kernels.get(call.kernel());
        int inputs = call.inputs().size();
        boolean sliced = call.inputs().stream().anyMatch(Checker::hasSlice);
        // A sliced input stands for any number of blocks, so only the kernel can check the count of
        // such a call, task by task; statically, the references written out must not exceed it.
        if (sliced ? inputs > kernel.maxInputs() : !kernel.takesInputs(inputs)) {
            throw error(call.position(), "kernel " + kernel.name() + " takes " + kernel.inputCounts()
                    + " input blocks, got " + inputs);
        }
        if (call.outputs().size() != kernel.outputs()) {
            throw error(call.position(), "kernel " + kernel.name() + " produces " + kernel.outputs()
                    + " output block" + (kernel.outputs() == 1 ? "" : "s") + ", but " + call.outputs().size()
                    + (call.outputs().size() == 1 ? " is" : " are") + " assigned");
        }
        List<String> argNames = new ArrayList<>();
        List<ScalarExpr> argValues = new ArrayList<>();
        for (Ast.KeywordArg arg : call.arguments()) {
            if (!kernel.parameters().contains(arg.name())) {
                throw error(arg.position(), "kernel " + kernel.name() + " has no argument '" + arg.name() + "'"
                        + (kernel.parameters().isEmpty() ? " (it takes none)"
                        : " (it takes " + String.join(", ", new java.util.TreeSet<>(kernel.parameters())) + ")"));
            }
            if (argNames.contains(arg.name())) {
                throw error(arg.position(), "argument '" + arg.name() + "' is given twice");
            }
            argNames.add(arg.name());
            argValues.add(compile(arg.value(), scope));
        }
        List<Statement.Reference> outs = new ArrayList<>();
        for (Ast.BlockReference r : call.outputs()) {
            if (hasSlice(r)) {
                throw error(r.position(), "output " + r.matrix() + " has a slice index; a kernel call writes "
                        + "single blocks, slices (start:stop) may only be read");
            }
            outs.add(reference(r, scope, loops));
        }
        List<Statement.Reference> ins = new ArrayList<>();
        for (Ast.BlockReference r : call.inputs()) {
            ins.add(reference(r, scope, loops));
        }
        if (sliced) {
            // The slice variable takes the slot after the statement's loops while it is enumerated.
            maxDepth = Math.max(maxDepth, loops.size() + 1);
        }
        String text = outs.stream().map(Statement.Reference::text).collect(Collectors.joining(", ")) + " = "
                + kernel.name() + "(" + ins.stream().map(Statement.Reference::text).collect(Collectors.joining(", "))
                + ")";
        return new Statement(statements.size(), kernel, call.position(), loops, guards, outs, ins, argNames, argValues,
                text);
    }

    private Statement.Reference reference(Ast.BlockReference r, Map<String, Binding> scope, List<Statement.Loop> loops) {
        Binding b = scope.get(r.matrix());
        if (!(b instanceof MatrixParam m)) {
            throw error(r.position(), b == null ? "unknown matrix '" + r.matrix() + "'"
                    : "'" + r.matrix() + "' is a " + kind(b) + ", not a matrix");
        }
        Integer rank = matrixRanks.putIfAbsent(m.index(), r.indices().size());
        if (rank != null && rank != r.indices().size()) {
            throw error(r.position(), "matrix " + r.matrix() + " is indexed with " + r.indices().size()
                    + " indices here but with " + rank + " elsewhere");
        }
        if (r.indices().size() < 2) {
            throw error(r.position(), "matrix " + r.matrix() + " needs at least 2 block indices (row, column), got "
                    + r.indices().size());
        }
        List<ScalarExpr> indices = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        Statement.Loop slice = null;
        for (Ast.Expr e : r.indices()) {
            texts.add(AstPrinter.print(e));
            if (e instanceof Ast.Slice s) {
                if (slice != null) {
                    throw error(s.position(), "block reference " + r.matrix() + " has two slice indices; "
                            + "at most one index may be a slice (start:stop)");
                }
                int slot = intParams.size() + loops.size();
                slice = new Statement.Loop(AstPrinter.print(s), slot, integer(s.start(), scope, "a slice start"),
                        integer(s.stop(), scope, "a slice stop"), ScalarExpr.intConstant(1, s.position()), false);
                indices.add(ScalarExpr.slot(slot, s.position()));
                continue;
            }
            ScalarExpr index = integer(e, scope, "a block index");
            for (Statement.Loop loop : loops) {
                if (!index.affineIn(loop.slot()) && !loop.logarithmic()) {
                    throw error(e.position(), "block index of " + r.matrix() + " is not affine in loop variable '"
                            + loop.variable() + "'; only a variable with a logarithmic range, such as a tree level "
                            + "(for l in range(ceiling(log(N, 2)))), may appear non-affinely");
                }
            }
            indices.add(index);
        }
        return new Statement.Reference(m.index(), r.matrix(), indices, r.matrix() + "[" + String.join(",", texts) + "]",
                r.position(), slice);
    }

    private static boolean hasSlice(Ast.BlockReference r) {
        return r.indices().stream().anyMatch(e -> e instanceof Ast.Slice);
    }

    private ScalarExpr integer(Ast.Expr e, Map<String, Binding> scope, String what) {
        ScalarExpr x = compile(e, scope);
        if (x.type != Type.INT) {
            throw error(e.position(), what + " must be an integer, got " + describe(x.type)
                    + (x.type == Type.REAL ? " (use ceiling(...) or floor(...))" : ""));
        }
        return x;
    }

    /**
     * Bounds on a compiled expression with its scalar assignments inlined: {@code x2 = x1 + x1} doubles
     * what evaluation visits, so 60 such lines would never finish, and a chain of assignments deepens
     * the tree past what the stack holds. Real programs stay far below both.
     */
    static final long MAX_EXPRESSION_SIZE = 100_000;
    static final int MAX_EXPRESSION_DEPTH = 400;

    private ScalarExpr compile(Ast.Expr e, Map<String, Binding> scope) {
        ScalarExpr x = compileNode(e, scope);
        if (x.size > MAX_EXPRESSION_SIZE || x.depth > MAX_EXPRESSION_DEPTH) {
            throw error(e.position(), "expression too large once its scalar assignments are written out ("
                    + (x.size == Long.MAX_VALUE ? "more than 2^63" : x.size) + " operations, " + x.depth
                    + " deep; at most " + MAX_EXPRESSION_SIZE + " and " + MAX_EXPRESSION_DEPTH + ")");
        }
        return x;
    }

    private ScalarExpr compileNode(Ast.Expr e, Map<String, Binding> scope) {
        if (e instanceof Ast.IntLiteral i) {
            return ScalarExpr.intConstant(i.value(), i.position());
        }
        if (e instanceof Ast.RealLiteral r) {
            return ScalarExpr.realConstant(r.value(), r.position());
        }
        if (e instanceof Ast.Name n) {
            return name(n, scope);
        }
        if (e instanceof Ast.Unary u) {
            ScalarExpr x = compile(u.operand(), scope);
            if (u.op() == Ast.UnaryOp.NOT) {
                requireBool(x, u.operand(), "not");
                return ScalarExpr.not(x, u.position());
            }
            requireNumber(x, u.operand(), "-");
            return ScalarExpr.negate(x, u.position());
        }
        if (e instanceof Ast.Binary b) {
            return binary(b, scope);
        }
        if (e instanceof Ast.Slice s) {
            throw error(s.position(), "a slice (" + AstPrinter.print(s) + ") may only be a block index of a kernel "
                    + "input, not part of a scalar expression");
        }
        return call((Ast.Call) e, scope);
    }

    private ScalarExpr name(Ast.Name n, Map<String, Binding> scope) {
        if (n.name().equals("True") || n.name().equals("False")) {
            return ScalarExpr.boolConstant(n.name().equals("True"), n.position());
        }
        Binding b = scope.get(n.name());
        if (b == null) {
            throw error(n.position(), "unknown name '" + n.name() + "'");
        }
        if (b instanceof IntParam p) {
            return ScalarExpr.slot(p.slot(), n.position());
        }
        if (b instanceof LoopVar v) {
            return ScalarExpr.slot(v.slot(), n.position());
        }
        if (b instanceof Scalar s) {
            return s.value();
        }
        throw error(n.position(), "matrix '" + n.name() + "' cannot be used as a scalar");
    }

    private ScalarExpr binary(Ast.Binary b, Map<String, Binding> scope) {
        ScalarExpr x = compile(b.left(), scope);
        ScalarExpr y = compile(b.right(), scope);
        switch (b.op()) {
            case AND, OR -> {
                requireBool(x, b.left(), b.op().symbol());
                requireBool(y, b.right(), b.op().symbol());
                return ScalarExpr.logical(b.op(), x, y, b.position());
            }
            case EQUAL, NOT_EQUAL, LESS, LESS_EQUAL, GREATER, GREATER_EQUAL -> {
                boolean bothBool = x.type == Type.BOOL && y.type == Type.BOOL;
                if (!bothBool || (b.op() != Ast.BinaryOp.EQUAL && b.op() != Ast.BinaryOp.NOT_EQUAL)) {
                    requireNumber(x, b.left(), b.op().symbol());
                    requireNumber(y, b.right(), b.op().symbol());
                }
                return ScalarExpr.comparison(b.op(), x, y, b.position());
            }
            default -> {
                requireNumber(x, b.left(), b.op().symbol());
                requireNumber(y, b.right(), b.op().symbol());
                boolean ints = x.type == Type.INT && y.type == Type.INT;
                Type type = b.op() == Ast.BinaryOp.DIVIDE || !ints ? Type.REAL : Type.INT;
                return ScalarExpr.arithmetic(b.op(), x, y, type, b.position());
            }
        }
    }

    private ScalarExpr call(Ast.Call c, Map<String, Binding> scope) {
        List<ScalarExpr> args = new ArrayList<>();
        for (Ast.Expr a : c.arguments()) {
            ScalarExpr x = compile(a, scope);
            requireNumber(x, a, c.function());
            args.add(x);
        }
        switch (c.function()) {
            case "ceiling", "floor" -> {
                arity(c, args, 1, 1);
                return ScalarExpr.rounding(c.function().equals("ceiling"), args.get(0), c.position());
            }
            case "log" -> {
                arity(c, args, 1, 2);
                return ScalarExpr.log(args, c.position());
            }
            case "min", "max" -> {
                arity(c, args, 1, Integer.MAX_VALUE);
                boolean ints = args.stream().allMatch(a -> a.type == Type.INT);
                return ScalarExpr.extremum(c.function().equals("max"), args, ints ? Type.INT : Type.REAL, c.position());
            }
            default -> throw error(c.position(), "unknown function '" + c.function()
                    + "' (scalar functions: ceiling, floor, log, min, max)");
        }
    }

    private void arity(Ast.Call c, List<ScalarExpr> args, int min, int max) {
        if (args.size() < min || args.size() > max) {
            String expected = min == max ? String.valueOf(min) : max == Integer.MAX_VALUE ? "at least " + min
                    : min + " or " + max;
            throw error(c.position(), c.function() + " takes " + expected + " argument" + (max == 1 ? "" : "s")
                    + ", got " + args.size());
        }
    }

    private void requireNumber(ScalarExpr x, Ast.Expr e, String op) {
        if (x.type == Type.BOOL) {
            throw error(e.position(), "'" + op + "' needs a number, got a boolean");
        }
    }

    private void requireBool(ScalarExpr x, Ast.Expr e, String op) {
        if (x.type != Type.BOOL) {
            throw error(e.position(), "'" + op + "' needs a boolean (a comparison), got " + describe(x.type));
        }
    }

    private static String describe(Type type) {
        return switch (type) {
            case INT -> "an integer";
            case REAL -> "a real number";
            case BOOL -> "a boolean";
        };
    }

    private static String kind(Binding b) {
        if (b instanceof IntParam) {
            return "parameter";
        }
        if (b instanceof MatrixParam) {
            return "matrix";
        }
        if (b instanceof LoopVar) {
            return "loop variable";
        }
        return "scalar";
    }
}

package io.numpywren.lambdapack;

import io.numpywren.lambdapack.Ast.BinaryOp;
import io.numpywren.lambdapack.Ast.BlockReference;
import io.numpywren.lambdapack.Ast.Expr;
import io.numpywren.lambdapack.Ast.For;
import io.numpywren.lambdapack.Ast.If;
import io.numpywren.lambdapack.Ast.IntLiteral;
import io.numpywren.lambdapack.Ast.KernelCall;
import io.numpywren.lambdapack.Ast.KeywordArg;
import io.numpywren.lambdapack.Ast.Name;
import io.numpywren.lambdapack.Ast.Position;
import io.numpywren.lambdapack.Ast.Stmt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ParserTest {
    private static final String SOURCE = "prog.lp";

    private static final String CHOLESKY = """
            # Cholesky: comments start with '#'
            def cholesky(O: BigMatrix, I: BigMatrix, S: BigMatrix, N: int):
                O[0,0] = chol(I[0,0])
                for j in range(1, N):
                    O[j,0] = trsm(O[0,0], I[j,0], right=1, transA=1)
                    for k in range(1, j+1):
                        S[1,j,k] = syrk(I[j,k], O[j,0], O[k,0])
                for i in range(1, N):
                    O[i,i] = chol(S[i,i,i])
                    for j in range(i+1, N):
                        O[j,i] = trsm(O[i,i], S[i,j,i], right=1, transA=1)
                        for k in range(i+1, j+1):
                            S[i+1,j,k] = syrk(S[i,j,k], O[j,i], O[k,i])
            """;

    private static Ast.ProgramDef parse(String text) {
        return Parser.parse(SOURCE, text);
    }

    /** A program {@code f(A, B, N)} whose body is the given lines, each indented by four spaces. */
    private static String program(String... bodyLines) {
        return "def f(A: BigMatrix, B: BigMatrix, N: int):\n"
                + Stream.of(bodyLines).map(line -> "    " + line + "\n").collect(Collectors.joining());
    }

    private static List<Stmt> body(String... bodyLines) {
        return parse(program(bodyLines)).body();
    }

    /** The expression {@code source}, parsed as the value of a scalar assignment. */
    private static Expr expression(String source) {
        return ((Ast.Assign) body("x = " + source).get(0)).value();
    }

    private static Position at(int line, int column) {
        return new Position(SOURCE, line, column);
    }

    private static LambdaPackException parseError(String text) {
        LambdaPackException error = catchThrowableOfType(LambdaPackException.class, () -> parse(text));
        assertThat(error).as("parsing should fail:%n%s", text).isNotNull();
        return error;
    }

    @Nested
    class Cholesky {
        private final Ast.ProgramDef cholesky = parse(CHOLESKY);

        @Test
        void hasTheDefinitionsNameAndTypedParameters() {
            assertThat(cholesky.name()).isEqualTo("cholesky");
            assertThat(cholesky.position()).isEqualTo(at(2, 1));
            assertThat(cholesky.params()).containsExactly(
                    new Ast.Param("O", Ast.ParamType.MATRIX, at(2, 14)),
                    new Ast.Param("I", Ast.ParamType.MATRIX, at(2, 28)),
                    new Ast.Param("S", Ast.ParamType.MATRIX, at(2, 42)),
                    new Ast.Param("N", Ast.ParamType.INT, at(2, 56)));
        }

        @Test
        void hasTheExpectedShape() {
            assertThat(Render.program(cholesky)).isEqualTo("""
                    def cholesky(O: BigMatrix, I: BigMatrix, S: BigMatrix, N: int):
                        O[0, 0] = chol(I[0, 0])
                        for j in range(1, N, 1):
                            O[j, 0] = trsm(O[0, 0], I[j, 0], right=1, transA=1)
                            for k in range(1, (j + 1), 1):
                                S[1, j, k] = syrk(I[j, k], O[j, 0], O[k, 0])
                        for i in range(1, N, 1):
                            O[i, i] = chol(S[i, i, i])
                            for j in range((i + 1), N, 1):
                                O[j, i] = trsm(O[i, i], S[i, j, i], right=1, transA=1)
                                for k in range((i + 1), (j + 1), 1):
                                    S[(i + 1), j, k] = syrk(S[i, j, k], O[j, i], O[k, i])
                    """);
        }

        @Test
        void firstLoopHasItsBoundsBodyAndPositions() {
            For loop = (For) cholesky.body().get(1);
            assertThat(loop.variable()).isEqualTo("j");
            assertThat(loop.position()).isEqualTo(at(4, 5));
            assertThat(loop.start()).isEqualTo(new IntLiteral(1, at(4, 20)));
            assertThat(loop.stop()).isEqualTo(new Name("N", at(4, 23)));
            assertThat(loop.step()).as("the step is synthesized at 'range'").isEqualTo(new IntLiteral(1, at(4, 14)));
            assertThat(loop.body()).hasSize(2);

            KernelCall trsm = (KernelCall) loop.body().get(0);
            assertThat(trsm).isEqualTo(new KernelCall(
                    List.of(new BlockReference("O", List.of(new Name("j", at(5, 11)), new IntLiteral(0, at(5, 13))),
                            at(5, 9))),
                    "trsm",
                    List.of(new BlockReference("O", List.of(new IntLiteral(0, at(5, 25)), new IntLiteral(0, at(5, 27))),
                                    at(5, 23)),
                            new BlockReference("I", List.of(new Name("j", at(5, 33)), new IntLiteral(0, at(5, 35))),
                                    at(5, 31))),
                    List.of(new KeywordArg("right", new IntLiteral(1, at(5, 45)), at(5, 39)),
                            new KeywordArg("transA", new IntLiteral(1, at(5, 55)), at(5, 48))),
                    at(5, 9)));

            For inner = (For) loop.body().get(1);
            assertThat(inner.variable()).isEqualTo("k");
            assertThat(inner.position()).isEqualTo(at(6, 9));
            assertThat(inner.stop()).isEqualTo(new Ast.Binary(BinaryOp.ADD, new Name("j", at(6, 27)),
                    new IntLiteral(1, at(6, 29)), at(6, 27)));
            KernelCall syrk = (KernelCall) inner.body().get(0);
            assertThat(syrk.kernel()).isEqualTo("syrk");
            assertThat(syrk.outputs()).extracting(BlockReference::matrix).containsExactly("S");
            assertThat(syrk.inputs()).extracting(BlockReference::matrix).containsExactly("I", "O", "O");
            assertThat(syrk.arguments()).isEmpty();
        }

        @Test
        void innermostCallOfTheSecondLoopNestIsThreeLevelsDeep() {
            For i = (For) cholesky.body().get(2);
            For j = (For) i.body().get(1);
            For k = (For) j.body().get(1);
            assertThat(List.of(i.variable(), j.variable(), k.variable())).containsExactly("i", "j", "k");
            assertThat(Render.expression(j.start())).isEqualTo("(i + 1)");
            assertThat(Render.expression(k.stop())).isEqualTo("(j + 1)");

            KernelCall syrk = (KernelCall) k.body().get(0);
            assertThat(syrk.position()).isEqualTo(at(13, 17));
            BlockReference output = syrk.outputs().get(0);
            assertThat(output.indices().get(0)).isEqualTo(new Ast.Binary(BinaryOp.ADD, new Name("i", at(13, 19)),
                    new IntLiteral(1, at(13, 21)), at(13, 19)));
        }

        @Test
        void renderedProgramParsesBackToTheSameRendering() {
            String rendered = Render.program(cholesky);
            assertThat(Render.program(parse(rendered))).isEqualTo(rendered);
        }
    }

    @Nested
    class Expressions {
        @ParameterizedTest(name = "{0}  ->  {1}")
        @CsvSource(delimiter = '|', value = {
                "1 + 2 * 3              | (1 + (2 * 3))",
                "1 * 2 + 3              | ((1 * 2) + 3)",
                "1 - 2 - 3              | ((1 - 2) - 3)",
                "a / b // c % d * e     | ((((a / b) // c) % d) * e)",
                "(1 + 2) * 3            | ((1 + 2) * 3)",
                "((N))                  | N",
                "-2 ** 2                | (-(2 ** 2))",
                "2 ** -1                | (2 ** (-1))",
                "2 ** 3 ** 2            | (2 ** (3 ** 2))",
                "-a * b                 | ((-a) * b)",
                "a * -b                 | (a * (-b))",
                "- -a                   | (-(-a))",
                "+a                     | a",
                "+-a                    | (-a)",
                "a - -1                 | (a - (-1))",
                "a < b + 1              | (a < (b + 1))",
                "a + 1 >= b * 2         | ((a + 1) >= (b * 2))",
                "a <= b                 | (a <= b)",
                "a > b                  | (a > b)",
                "a == b                 | (a == b)",
                "a != b                 | (a != b)",
                "a % 2 == 0 or b        | (((a % 2) == 0) or b)",
                "not a == b             | (not (a == b))",
                "not not a              | (not (not a))",
                "a and not b            | (a and (not b))",
                "a or b and c           | (a or (b and c))",
                "a and b or c and d     | ((a and b) or (c and d))",
                "a or b or c            | ((a or b) or c)",
                "a and b and c          | ((a and b) and c)",
                "True and not False     | (True and (not False))",
                "min(i + 1, N) - 1      | (min((i + 1), N) - 1)",
                "ceiling(log(N) / log(2)) | ceiling((log(N) / log(2)))",
                "max(a, b,)             | max(a, b)",
                "f(-x ** 2)             | f((-(x ** 2)))",
                "1.5 * 2.               | (1.5 * 2.0)",
                "1e-3 + .5 + 2E3        | ((0.001 + 0.5) + 2000.0)",
                "9223372036854775807    | 9223372036854775807",
        })
        void precedenceAndAssociativity(String source, String expected) {
            assertThat(Render.expression(expression(source))).isEqualTo(expected);
        }

        @Test
        void trueAndFalseAreNames() {
            assertThat(expression("True")).isEqualTo(new Name("True", at(2, 9)));
            assertThat(expression("False")).isEqualTo(new Name("False", at(2, 9)));
        }

        @Test
        void literalsCarryTheirValues() {
            assertThat(expression("42")).isEqualTo(new IntLiteral(42, at(2, 9)));
            assertThat(expression("0.25")).isEqualTo(new Ast.RealLiteral(0.25, at(2, 9)));
        }

        @Test
        void aBinaryNodeStartsAtItsFirstTokenEvenWhenThatIsAParenthesis() {
            Expr product = expression("(a + b) * c");
            assertThat(product.position()).isEqualTo(at(2, 9));
            assertThat(((Ast.Binary) product).left().position()).isEqualTo(at(2, 10));
            Expr negation = expression("-a");
            assertThat(negation).isEqualTo(new Ast.Unary(Ast.UnaryOp.NEGATE, new Name("a", at(2, 10)), at(2, 9)));
        }

        @Test
        void aCallIsAnExpressionNode() {
            assertThat(expression("min(i, 2)")).isEqualTo(new Ast.Call("min",
                    List.of(new Name("i", at(2, 13)), new IntLiteral(2, at(2, 16))), at(2, 9)));
        }
    }

    @Nested
    class Statements {
        @Test
        void rangeWithOneArgumentStartsAtZeroWithStepOne() {
            For loop = (For) body("for i in range(N):", "    x = i").get(0);
            assertThat(loop.start()).isEqualTo(new IntLiteral(0, at(2, 14)));
            assertThat(loop.stop()).isEqualTo(new Name("N", at(2, 20)));
            assertThat(loop.step()).isEqualTo(new IntLiteral(1, at(2, 14)));
            assertThat(loop.body()).containsExactly(new Ast.Assign("x", new Name("i", at(3, 13)), at(3, 9)));
        }

        @Test
        void rangeWithTwoArgumentsHasStepOne() {
            For loop = (For) body("for i in range(2, N):", "    x = i").get(0);
            assertThat(Render.expression(loop.start())).isEqualTo("2");
            assertThat(Render.expression(loop.stop())).isEqualTo("N");
            assertThat(loop.step()).isEqualTo(new IntLiteral(1, at(2, 14)));
        }

        @Test
        void rangeWithThreeArgumentsKeepsTheStep() {
            For loop = (For) body("for i in range(N - 1, -1, -1):", "    x = i").get(0);
            assertThat(Render.expression(loop.start())).isEqualTo("(N - 1)");
            assertThat(Render.expression(loop.stop())).isEqualTo("(-1)");
            assertThat(Render.expression(loop.step())).isEqualTo("(-1)");
        }

        @Test
        void rangeAcceptsATrailingComma() {
            For loop = (For) body("for i in range(N,):", "    x = i").get(0);
            assertThat(Render.expression(loop.stop())).isEqualTo("N");
        }

        @Test
        void elifBecomesANestedIfInTheElseBranch() {
            List<Stmt> statements = body(
                    "if i == 0:",
                    "    x = 1",
                    "elif i == 1:",
                    "    x = 2",
                    "elif i < 5:",
                    "    x = 3",
                    "else:",
                    "    x = 4",
                    "y = x");
            assertThat(statements).hasSize(2);
            If first = (If) statements.get(0);
            assertThat(first.position()).isEqualTo(at(2, 5));
            assertThat(Render.expression(first.condition())).isEqualTo("(i == 0)");
            assertThat(first.then()).containsExactly(new Ast.Assign("x", new IntLiteral(1, at(3, 13)), at(3, 9)));

            assertThat(first.otherwise()).hasSize(1);
            If second = (If) first.otherwise().get(0);
            assertThat(second.position()).as("at the 'elif'").isEqualTo(at(4, 5));
            assertThat(Render.expression(second.condition())).isEqualTo("(i == 1)");

            If third = (If) second.otherwise().get(0);
            assertThat(third.position()).isEqualTo(at(6, 5));
            assertThat(Render.expression(third.condition())).isEqualTo("(i < 5)");
            assertThat(Render.statements(third.then(), "")).isEqualTo("x = 3\n");
            assertThat(Render.statements(third.otherwise(), "")).isEqualTo("x = 4\n");
        }

        @Test
        void ifWithoutElseHasAnEmptyElseBranch() {
            If conditional = (If) body("if N > 1:", "    x = 1").get(0);
            assertThat(conditional.otherwise()).isEmpty();
        }

        @Test
        void elifWithoutElseEndsInAnEmptyElseBranch() {
            If conditional = (If) body("if N > 1:", "    x = 1", "elif N > 0:", "    x = 2").get(0);
            If elif = (If) conditional.otherwise().get(0);
            assertThat(elif.otherwise()).isEmpty();
        }

        @Test
        void ifInsideLoopWithElse() {
            assertThat(Render.statements(body(
                    "for i in range(N):",
                    "    if i % 2 == 0 and not i == 0:",
                    "        O[i,0] = chol(A[i,0])",
                    "    else:",
                    "        O[i,0] = chol(B[i,0])"), "")).isEqualTo("""
                    for i in range(0, N, 1):
                        if (((i % 2) == 0) and (not (i == 0))):
                            O[i, 0] = chol(A[i, 0])
                        else:
                            O[i, 0] = chol(B[i, 0])
                    """);
        }

        @Test
        void multiOutputKernelCall() {
            KernelCall call = (KernelCall) body("V[i,0], T[i,0], R[i,0] = qr_factor(A[i,0])").get(0);
            assertThat(call.outputs()).containsExactly(
                    new BlockReference("V", List.of(new Name("i", at(2, 7)), new IntLiteral(0, at(2, 9))), at(2, 5)),
                    new BlockReference("T", List.of(new Name("i", at(2, 15)), new IntLiteral(0, at(2, 17))), at(2, 13)),
                    new BlockReference("R", List.of(new Name("i", at(2, 23)), new IntLiteral(0, at(2, 25))), at(2, 21)));
            assertThat(call.kernel()).isEqualTo("qr_factor");
            assertThat(call.inputs()).containsExactly(new BlockReference("A",
                    List.of(new Name("i", at(2, 42)), new IntLiteral(0, at(2, 44))), at(2, 40)));
            assertThat(call.arguments()).isEmpty();
            assertThat(call.position()).isEqualTo(at(2, 5));
        }

        @Test
        void kernelCallWithOnlyKeywordArguments() {
            KernelCall call = (KernelCall) body("O[i,j] = identity(rows=4, cols=4)").get(0);
            assertThat(call.inputs()).isEmpty();
            assertThat(call.arguments()).extracting(KeywordArg::name).containsExactly("rows", "cols");
        }

        @Test
        void kernelCallWithoutArguments() {
            KernelCall call = (KernelCall) body("O[0,0] = zeros()").get(0);
            assertThat(call.inputs()).isEmpty();
            assertThat(call.arguments()).isEmpty();
        }

        @Test
        void keywordArgumentsTakeExpressions() {
            KernelCall call = (KernelCall) body("O[0,0] = gemm(A[0,0], B[0,0], alpha=-1.0, transA=N % 2 == 0,)").get(0);
            assertThat(call.arguments()).extracting(arg -> arg.name() + "=" + Render.expression(arg.value()))
                    .containsExactly("alpha=(-1.0)", "transA=((N % 2) == 0)");
        }

        @Test
        void scalarAssignment() {
            assertThat(body("n = ceiling(log(N) / log(2))", "m = n * 2")).containsExactly(
                    new Ast.Assign("n", new Ast.Call("ceiling", List.of(new Ast.Binary(BinaryOp.DIVIDE,
                            new Ast.Call("log", List.of(new Name("N", at(2, 21))), at(2, 17)),
                            new Ast.Call("log", List.of(new IntLiteral(2, at(2, 30))), at(2, 26)), at(2, 17))),
                            at(2, 9)), at(2, 5)),
                    new Ast.Assign("m", new Ast.Binary(BinaryOp.MULTIPLY, new Name("n", at(3, 9)),
                            new IntLiteral(2, at(3, 13)), at(3, 9)), at(3, 5)));
        }

        @Test
        void aBlockIndexMayBeASliceFromStartToStop() {
            KernelCall call = (KernelCall) body("O[i,0] = gemm_sum(A[i,0:K], B[k+1:2*k,j])").get(0);
            assertThat(call.inputs().get(0).indices().get(1)).isEqualTo(
                    new Ast.Slice(new IntLiteral(0, at(2, 27)), new Name("K", at(2, 29)), at(2, 27)));
            Ast.Slice second = (Ast.Slice) call.inputs().get(1).indices().get(0);
            assertThat(second.start()).isInstanceOf(Ast.Binary.class);
            assertThat(second.stop()).isInstanceOf(Ast.Binary.class);
            assertThat(call.inputs().get(1).indices().get(1)).isEqualTo(new Name("j", at(2, 43)));
        }

        @Test
        void aSliceNeedsBothBoundsAndTakesNoStep() {
            assertThatThrownBy(() -> body("O[0,0] = add(A[0,0:4:2])"))
                    .isInstanceOf(LambdaPackException.class).hasMessageContaining("expected ',' or ']'");
            assertThatThrownBy(() -> body("O[0,0] = add(A[0,:4])"))
                    .isInstanceOf(LambdaPackException.class).hasMessageContaining("':'");
        }

        @Test
        void blockReferenceAcceptsATrailingComma() {
            KernelCall call = (KernelCall) body("O[0,1,] = chol(A[0,0,],)").get(0);
            assertThat(call.outputs().get(0).indices()).hasSize(2);
            assertThat(call.inputs().get(0).indices()).hasSize(2);
        }

        @Test
        void parametersAcceptATrailingComma() {
            assertThat(parse("def f(A: BigMatrix, N: int,):\n    x = N\n").params()).hasSize(2);
        }
    }

    @Nested
    class Layout {
        @Test
        void lineBreaksInsideBracketsAreIgnored() {
            Ast.ProgramDef joined = parse("""
                    def f(A: BigMatrix,
                          N: int):
                        O[0,
                      0] = gemm(A[0,0],
                                          A[1,0],   # a comment inside the call

                       alpha=2,
                    )
                        x = (1 +
                    2)
                    """);
            assertThat(joined.params()).hasSize(2);
            assertThat(Render.statements(joined.body(), "")).isEqualTo("""
                    O[0, 0] = gemm(A[0, 0], A[1, 0], alpha=2)
                    x = (1 + 2)
                    """);
            assertThat(joined.body().get(1).position()).isEqualTo(at(9, 5));
        }

        @Test
        void commentsAndBlankLinesAreIgnoredWhateverTheirIndentation() {
            Ast.ProgramDef program = parse("""
                    # leading comment

                      # an indented comment before def
                    def f(N: int):  # after the header
                    # a comment at column 1 inside the body
                        x = 1 # trailing comment
                              # deeper comment
                       \s
                        for i in range(N):   # comment after ':'
                            # comment as the first line of a block
                            y = i
                    # the last line is a comment""");
            assertThat(Render.statements(program.body(), "")).isEqualTo("""
                    x = 1
                    for i in range(0, N, 1):
                        y = i
                    """);
        }

        @Test
        void theLastLineNeedsNoNewline() {
            assertThat(parse("def f(N: int):\n    x = 1").body()).hasSize(1);
            assertThat(parse("def f(N: int):\n    for i in range(N):\n        x = i").body()).hasSize(1);
        }

        @Test
        void windowsAndOldMacLineEndingsAreLineBreaks() {
            String unix = program("for i in range(N):", "    x = i", "y = 2");
            Ast.ProgramDef expected = parse(unix);
            assertThat(parse(unix.replace("\n", "\r\n"))).isEqualTo(expected);
            assertThat(parse(unix.replace("\n", "\r"))).isEqualTo(expected);
        }

        @Test
        void tabsBetweenTokensAndInBlankLinesAreWhiteSpace() {
            assertThat(body("x\t=\t1", "\t", "y = 2")).hasSize(2);
        }

        @Test
        void aByteOrderMarkIsSkipped() {
            assertThat(parse("\uFEFFdef f(N: int):\n    x = 1\n").position()).isEqualTo(at(1, 1));
        }

        @Test
        void dedentingSeveralLevelsAtOnce() {
            assertThat(Render.statements(body(
                    "for i in range(N):",
                    "    for j in range(N):",
                    "        for k in range(N):",
                    "            x = k",
                    "y = 1"), "")).isEqualTo("""
                    for i in range(0, N, 1):
                        for j in range(0, N, 1):
                            for k in range(0, N, 1):
                                x = k
                    y = 1
                    """);
        }

        @Test
        void aBlockMayUseAnyDeeperIndentation() {
            assertThat(body("for i in range(N):", "  x = i", "  y = i", "z = 1")).hasSize(2);
        }
    }

    @Nested
    class Errors {
        static Stream<Arguments> mistakes() {
            return Stream.of(
                    arguments("missing ':' after range", program("for i in range(N)", "    x = i"),
                            "prog.lp:2:22: expected ':' after range(...), found NEWLINE"),
                    arguments("tab in indentation", "def f(N: int):\n\tx = 1\n",
                            "prog.lp:2:1: tab character in indentation; indent with spaces only"),
                    arguments("inconsistent dedent", program("for i in range(N):", "    x = i", "  y = 2"),
                            "prog.lp:4:7: inconsistent dedent: an indentation of 6 spaces matches no enclosing block"
                                    + " (enclosing blocks are indented by 0, 4, 8 spaces)"),
                    arguments("unknown character '$'", program("x = N $ 2"),
                            "prog.lp:2:11: unexpected character '$'"),
                    arguments("unknown character '@'", program("O[0,0] = gemm(A[0,0] @ B[0,0])"),
                            "prog.lp:2:26: unexpected character '@'"),
                    arguments("non-ASCII character", program("x = N × 2"),
                            "prog.lp:2:11: unexpected character '×' (U+00D7)"),
                    arguments("right-to-left override, never echoed", program("x = N \u202E 2"),
                            "prog.lp:2:11: unexpected character U+202E"),
                    arguments("zero-width space, never echoed", program("x = N\u200B + 2"),
                            "prog.lp:2:10: unexpected character U+200B"),
                    arguments("escape character, never echoed", program("x = N \u001B[31m"),
                            "prog.lp:2:11: unexpected character U+001B"),
                    arguments("'!' alone", program("x = !N"),
                            "prog.lp:2:9: unexpected character '!'; use 'not' for negation or '!=' for inequality"),
                    arguments("bracket never closed", program("x = min(N, 2"),
                            "prog.lp:2:12: '(' is never closed (reached end of file)"),
                    arguments("bracket still open at a later error", program("x = min(N, 2", "y = 1"),
                            "prog.lp:3:5: expected ',' or ')' in the arguments of 'min', found name 'y'"
                                    + " (the '(' at line 2, column 12 is still open)"),
                    arguments("mismatched bracket", program("O[0,0) = chol(A[0,0])"),
                            "prog.lp:2:10: ')' does not match '[' opened at line 2, column 6"),
                    arguments("unmatched closing bracket", program("x = N)"),
                            "prog.lp:2:10: unmatched ')'"),
                    arguments("no def", "x = 1\n",
                            "prog.lp:1:1: expected 'def' at the start of the program, found name 'x'"),
                    arguments("only comments", "# nothing here\n\n",
                            "prog.lp:3:1: expected 'def' at the start of the program, found end of file"),
                    arguments("indented def", "  def f(N: int):\n    x = 1\n",
                            "prog.lp:1:3: expected 'def' at the start of the program, found INDENT"),
                    arguments("empty block followed by a statement", program("for i in range(N):", "x = 1"),
                            "prog.lp:3:5: expected an indented block after 'for' on line 2, found name 'x'"),
                    arguments("empty block at the end of the file", program("if N > 2:"),
                            "prog.lp:3:1: expected an indented block after 'if' on line 2, found DEDENT"),
                    arguments("empty program body", "def f(N: int):\n",
                            "prog.lp:2:1: expected an indented block after 'def' on line 1, found end of file"),
                    arguments("statement on the line of the ':'", program("for i in range(N): x = i"),
                            "prog.lp:2:24: expected NEWLINE after ':' (the block starts on the next line, indented),"
                                    + " found name 'x'"),
                    arguments("positional scalar argument", program("O[0,0] = gemm(A[0,0], 2)"),
                            "prog.lp:2:27: expected a block reference such as 'A[i,j]' as a positional argument of"
                                    + " 'gemm', found number 2; scalar arguments must be passed by name, as in 'alpha=2'"),
                    arguments("positional name argument", program("O[0,0] = gemm(A[0,0], alpha)"),
                            "prog.lp:2:27: expected a block reference such as 'A[i,j]' as a positional argument of"
                                    + " 'gemm', found name 'alpha'; scalar arguments must be passed by name"),
                    arguments("block reference after keyword", program("O[0,0] = gemm(A[0,0], alpha=2, B[0,0])"),
                            "prog.lp:2:36: block reference 'B[...]' follows keyword argument 'alpha';"
                                    + " block references must come before keyword arguments"),
                    arguments("missing comma between arguments", program("O[0,0] = gemm(A[0,0] B[0,0])"),
                            "prog.lp:2:26: expected ',' or ')' in the arguments of 'gemm', found name 'B'"),
                    arguments("chained comparison", program("x = 1 < N < 3"),
                            "prog.lp:2:15: comparisons cannot be chained: found '<' after a comparison;"
                                    + " write 'a < b and b < c' instead of 'a < b < c'"),
                    arguments("integer too large", program("x = 99999999999999999999"),
                            "prog.lp:2:9: integer 99999999999999999999 does not fit in 64 bits"
                                    + " (the largest is 9223372036854775807)"),
                    arguments("real too large", program("x = 1e400"),
                            "prog.lp:2:9: real number 1e400 is too large for a double"),
                    arguments("exponent without digits", program("x = 1e+"),
                            "prog.lp:2:9: malformed number '1e+': the exponent needs digits"),
                    arguments("name starting with a digit", program("x = 12abc"),
                            "prog.lp:2:9: malformed number '12abc': a name cannot start with a digit"),
                    arguments("missing operand", program("x = (N + )"),
                            "prog.lp:2:14: expected an expression, found ')'"),
                    arguments("unclosed parenthesis in an expression", "def f(N: int):\n    x = (N + 1\n\n  # end",
                            "prog.lp:2:9: '(' is never closed (reached end of file)"),
                    arguments("tuple in parentheses", program("x = (N, 1)"),
                            "prog.lp:2:11: expected ')' to close the '(' at line 2, column 9, found ','"),
                    arguments("unknown parameter type", "def f(A: float):\n    x = 1\n",
                            "prog.lp:1:10: expected parameter type 'BigMatrix' or 'int', found name 'float'"),
                    arguments("parameter without type", "def f(N int):\n    x = 1\n",
                            "prog.lp:1:9: expected ':' after parameter 'N' (its type, BigMatrix or int, must follow),"
                                    + " found name 'int'"),
                    arguments("no parameters", "def f():\n    x = 1\n",
                            "prog.lp:1:7: expected a name as a parameter, found ')'"),
                    arguments("statement after the def", program("x = 1") + "y = 2\n",
                            "prog.lp:3:1: expected end of file after the body of 'f' (a program is a single def),"
                                    + " found name 'y'"),
                    arguments("second def", program("x = 1") + "def g(N: int):\n    x = 1\n",
                            "prog.lp:3:1: expected end of file after the body of 'f' (a program is a single def),"
                                    + " found 'def'"),
                    arguments("def inside the body", program("def g(N: int):", "    x = 1"),
                            "prog.lp:2:5: a program is a single def; 'def' is not allowed inside it"),
                    arguments("range without arguments", program("for i in range():", "    x = i"),
                            "prog.lp:2:20: range() needs 1 to 3 arguments (stop, or start, stop and an optional step),"
                                    + " found ')'"),
                    arguments("range with four arguments", program("for i in range(0, N, 1, 2):", "    x = i"),
                            "prog.lp:2:29: range() takes at most 3 arguments (start, stop, step), found 4"),
                    arguments("loop over something else", program("for i in N:", "    x = i"),
                            "prog.lp:2:14: expected 'range' after 'in' (loops iterate over range(...)), found name 'N'"),
                    arguments("keyword as loop variable", program("for if in range(N):", "    x = 1"),
                            "prog.lp:2:9: expected a name as the loop variable after 'for', found 'if'"),
                    arguments("missing 'in'", program("for i range(N):", "    x = i"),
                            "prog.lp:2:11: expected 'in' after the loop variable 'i', found 'range'"),
                    arguments("missing ':' after if", program("if N > 1", "    x = 1"),
                            "prog.lp:2:13: expected ':' after the condition of 'if', found NEWLINE"),
                    arguments("unexpected indent", program("x = 1", "    y = 2"),
                            "prog.lp:3:9: unexpected indent: only the lines of a block after ':' are indented further"),
                    arguments("else without if", program("x = 1", "else:", "    y = 2"),
                            "prog.lp:3:5: 'else' without a matching 'if' at the same indentation"),
                    arguments("kernel call without outputs", program("chol(A[0,0])"),
                            "prog.lp:2:5: the result of kernel 'chol' must be assigned to block references,"
                                    + " as in 'O[i,j] = chol(...)'"),
                    arguments("block copied without a kernel", program("O[0,0] = A[0,0]"),
                            "prog.lp:2:15: expected '(' after kernel name 'A' (blocks are only assigned the results"
                                    + " of kernel calls), found '['"),
                    arguments("block assigned a number", program("O[0,0] = 3"),
                            "prog.lp:2:14: expected a name as the kernel name after '=', found number 3"),
                    arguments("missing '=' in kernel call", program("O[0,0] chol(A[0,0])"),
                            "prog.lp:2:12: expected '=' after the output block references, found name 'chol'"),
                    arguments("output that is not a block reference", program("O[0,0], x = chol(A[0,0])"),
                            "prog.lp:2:15: expected '[' after matrix name 'x' in a block reference, found '='"),
                    arguments("empty block index", program("O[] = chol(A[0,0])"),
                            "prog.lp:2:7: expected an expression, found ']'"),
                    arguments("statement starting with a number", program("3 = x"),
                            "prog.lp:2:5: expected a statement (for, if, an assignment or a kernel call),"
                                    + " found number 3"),
                    arguments("name alone", program("x"),
                            "prog.lp:2:6: expected '=' or '[' after name 'x' at the start of a statement,"
                                    + " found NEWLINE"),
                    arguments("trailing tokens after an assignment", program("x = 1 2"),
                            "prog.lp:2:11: expected NEWLINE after the assignment to 'x', found number 2"),
                    arguments("assignment with '=='", program("x == 1"),
                            "prog.lp:2:7: expected '=' or '[' after name 'x' at the start of a statement, found '=='"),
                    arguments("'not' inside arithmetic", program("x = 1 + not N"),
                            "prog.lp:2:13: expected an expression, found 'not'"),
                    arguments("nesting too deep", program("x = " + "(".repeat(500) + "1" + ")".repeat(500)),
                            "prog.lp:2:108: nested too deeply: more than 100 levels of blocks, parentheses or operators"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("mistakes")
        void reportsWhereAndWhat(String mistake, String text, String expectedMessage) {
            LambdaPackException error = parseError(text);
            assertThat(error.getMessage()).startsWith(expectedMessage);
            assertThat(error.source()).isEqualTo(SOURCE);
            String location = expectedMessage.substring(SOURCE.length() + 1, expectedMessage.indexOf(": "));
            assertThat(error.line() + ":" + error.column()).isEqualTo(location);
        }

        @Test
        void aLongChainOfUnaryMinusIsRefusedCleanly() {
            assertThat(parseError(program("x = " + "-".repeat(100_000) + "1")).getMessage())
                    .contains("nested too deeply");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {" + 1", " * N", " - N", " // 2", " or True", " and False"})
        void aLongChainOfBinaryOperatorsIsRefusedCleanly(String link) {
            assertThat(parseError(program("x = 1" + link.repeat(4_000))).getMessage())
                    .startsWith("prog.lp:2:").contains("nested too deeply");
        }

        @Test
        void aBlockIndexOfThousandsOfTermsIsRefusedCleanly() {
            assertThat(parseError(program("O[0, 0] = chol(A[N" + " + 1".repeat(4_000) + ", 0])")).getMessage())
                    .contains("nested too deeply");
        }

        @Test
        void aLongChainOfPowersIsRefusedCleanly() {
            assertThat(parseError(program("x = 2" + " ** 2".repeat(100_000))).getMessage())
                    .contains("nested too deeply");
        }

        @Test
        void deeplyNestedBlocksAreRefusedCleanly() {
            StringBuilder text = new StringBuilder("def f(N: int):\n");
            for (int depth = 1; depth <= 200; depth++) {
                text.append("  ".repeat(depth)).append("for i in range(N):\n");
            }
            text.append("  ".repeat(201)).append("x = 1\n");
            assertThat(parseError(text.toString()).getMessage()).contains("nested too deeply");
        }

        @Test
        void aLongElifChainNeedsNoDeepRecursion() {
            StringBuilder text = new StringBuilder("def f(N: int):\n    if N == 0:\n        x = 0\n");
            for (int i = 1; i < 5_000; i++) {
                text.append("    elif N == ").append(i).append(":\n        x = ").append(i).append('\n');
            }
            assertThat(parse(text.toString()).body()).hasSize(1);
        }
    }

    // ---- robustness: any text parses or fails with a LambdaPackException, never anything else ----

    /** Characters that make the interesting mistakes: layout, brackets, operators, digits, letters. */
    private static final String INSERTIONS = " \t\n\r()[],:=+-*/%<>!#.0123456789eEaxNidfor_$@\u00A0";

    private static final String MUTATED = CHOLESKY
            + "    if N > 2 and not N == 3:\n        x = -2**-1.5e3 // 4 % (1 != 2)\n"
            + "    elif N <= 1 or N >= 0:\n        V[0,0], T[0,0] = qr(A[0,0], alpha=min(N, 2,),)\n"
            + "    else:\n        O[0,0] = identity(rows=4)\n";

    @Test
    void theMutationBaseParses() {
        assertThat(parse(MUTATED).body()).hasSize(4);
    }

    @Test
    void everyTruncationEitherParsesOrFailsWithAPositionedError() {
        for (int end = 0; end <= MUTATED.length(); end++) {
            assertParsesOrFailsCleanly(MUTATED.substring(0, end));
        }
    }

    @Test
    void everySingleCharacterDeletionEitherParsesOrFailsWithAPositionedError() {
        for (int i = 0; i < MUTATED.length(); i++) {
            assertParsesOrFailsCleanly(MUTATED.substring(0, i) + MUTATED.substring(i + 1));
        }
    }

    @Test
    void everySingleCharacterInsertionEitherParsesOrFailsWithAPositionedError() {
        for (int i = 0; i <= MUTATED.length(); i++) {
            for (char c : INSERTIONS.toCharArray()) {
                assertParsesOrFailsCleanly(MUTATED.substring(0, i) + c + MUTATED.substring(i));
            }
        }
    }

    @Test
    void randomLineShufflesAndSplicesFailCleanly() {
        Random random = new Random(20240611);
        List<String> lines = List.of(MUTATED.split("\n", -1));
        for (int trial = 0; trial < 2_000; trial++) {
            List<String> mutated = new ArrayList<>(lines);
            int from = random.nextInt(mutated.size());
            int to = random.nextInt(mutated.size());
            String moved = mutated.remove(from);
            mutated.add(to, random.nextBoolean() ? moved : moved.substring(random.nextInt(moved.length() + 1)));
            assertParsesOrFailsCleanly(String.join("\n", mutated));
        }
    }

    private static final List<String> TOKEN_SOUP_PIECES = List.of(
            "def", "f", "(", ")", "[", "]", ",", ":", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "**",
            "/", "//", "%", "for", "in", "range", "if", "elif", "else", "and", "or", "not", "True", "False",
            "A", "N", "i", "BigMatrix", "int", "0", "1", "2.5", ".5", "1e3", "99999999999999999999", " ",
            "    ", "\n", "\n    ", "\n        ", "\t", "#", "$", "\r\n", "A[i,0]", "chol(", "x = ");

    /** A length in [0, max], with the shortest lengths drawn more often (they find most edge cases). */
    private static int length(SplittableRandom random, int max) {
        return random.nextInt(4) == 0 ? random.nextInt(3) : random.nextInt(max + 1);
    }

    private static String soup(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        for (int i = length(random, 60); i > 0; i--) {
            text.append(TOKEN_SOUP_PIECES.get(random.nextInt(TOKEN_SOUP_PIECES.size())));
        }
        return text.toString();
    }

    private static String raw(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        for (int i = length(random, 80); i > 0; i--) {
            text.append(INSERTIONS.charAt(random.nextInt(INSERTIONS.length())));
        }
        return text.toString();
    }

    /**
     * Up to 40 arbitrary UTF-16 chars: any code unit (controls, lone surrogates, noncharacters),
     * supplementary code points as surrogate pairs, and plain ASCII.
     */
    private static String anyUnicode(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        int length = length(random, 40);
        while (text.length() < length) {
            switch (random.nextInt(4)) {
                case 0 -> text.append((char) random.nextInt(Character.MAX_VALUE + 1));
                case 1 -> text.append((char) random.nextInt(128));
                case 2 -> text.append((char) random.nextInt(0x80, 0x3000));
                default -> {
                    if (length - text.length() >= 2) {
                        text.appendCodePoint(random.nextInt(Character.MIN_SUPPLEMENTARY_CODE_POINT,
                                Character.MAX_CODE_POINT + 1));
                    } else {
                        text.append((char) random.nextInt(0xD800, 0xE000));
                    }
                }
            }
        }
        return text.toString();
    }

    /** Token soup (bare, or after a valid header, twice as often), raw mistake characters, or any Unicode. */
    private static String tokenSoup(SplittableRandom random) {
        return switch (random.nextInt(5)) {
            case 0 -> soup(random);
            case 1, 2 -> "def f(A: BigMatrix, N: int):\n    " + soup(random);
            case 3 -> raw(random);
            default -> anyUnicode(random);
        };
    }

    /** The text as a Java string literal, so that a failing case can be pasted into a test. */
    private static String show(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c >= 32 && c < 127) {
                        out.append(c);
                    } else {
                        out.append(String.format("\\u%04X", (int) c));
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Test
    void anyTextEitherParsesOrFailsWithAPositionedError() {
        SplittableRandom random = new SplittableRandom(0x5EED_9A85_E001L);
        for (int trial = 0; trial < 3_000; trial++) {
            String text = tokenSoup(random);
            assertThatCode(() -> assertParsesOrFailsCleanly(text))
                    .as("trial %d, text %s", trial, show(text))
                    .doesNotThrowAnyException();
        }
    }

    private void assertParsesOrFailsCleanly(String text) {
        assertThatCode(() -> {
            try {
                parse(text);
            } catch (LambdaPackException e) {
                assertThat(e.getMessage()).startsWith(SOURCE + ":" + e.line() + ":" + e.column() + ": ");
                assertThat(e.line()).isBetween(1, (int) text.chars().filter(c -> c == '\n' || c == '\r').count() + 1);
                assertThat(e.column()).isPositive();
            }
        }).as("parsing %s", text.replace("\n", "\\n")).doesNotThrowAnyException();
    }

    /** Renders the tree back as source, with every compound expression in parentheses. */
    static final class Render {
        private Render() {
        }

        static String program(Ast.ProgramDef program) {
            String params = program.params().stream()
                    .map(p -> p.name() + ": " + (p.type() == Ast.ParamType.MATRIX ? "BigMatrix" : "int"))
                    .collect(Collectors.joining(", "));
            return "def " + program.name() + "(" + params + "):\n" + statements(program.body(), "    ");
        }

        static String statements(List<Stmt> statements, String indent) {
            StringBuilder out = new StringBuilder();
            for (Stmt statement : statements) {
                out.append(indent).append(statement(statement, indent));
            }
            return out.toString();
        }

        private static String statement(Stmt statement, String indent) {
            String deeper = indent + "    ";
            if (statement instanceof For loop) {
                return "for " + loop.variable() + " in range(" + expression(loop.start()) + ", "
                        + expression(loop.stop()) + ", " + expression(loop.step()) + "):\n"
                        + statements(loop.body(), deeper);
            }
            if (statement instanceof If conditional) {
                String text = "if " + expression(conditional.condition()) + ":\n"
                        + statements(conditional.then(), deeper);
                return conditional.otherwise().isEmpty() ? text
                        : text + indent + "else:\n" + statements(conditional.otherwise(), deeper);
            }
            if (statement instanceof Ast.Assign assign) {
                return assign.variable() + " = " + expression(assign.value()) + "\n";
            }
            KernelCall call = (KernelCall) statement;
            List<String> arguments = new ArrayList<>();
            call.inputs().forEach(input -> arguments.add(blockReference(input)));
            call.arguments().forEach(arg -> arguments.add(arg.name() + "=" + expression(arg.value())));
            return call.outputs().stream().map(Render::blockReference).collect(Collectors.joining(", "))
                    + " = " + call.kernel() + "(" + String.join(", ", arguments) + ")\n";
        }

        private static String blockReference(BlockReference reference) {
            return reference.matrix() + "[" + expressions(reference.indices()) + "]";
        }

        static String expression(Expr expr) {
            if (expr instanceof IntLiteral literal) {
                return Long.toString(literal.value());
            }
            if (expr instanceof Ast.RealLiteral literal) {
                return Double.toString(literal.value());
            }
            if (expr instanceof Name name) {
                return name.name();
            }
            if (expr instanceof Ast.Unary unary) {
                return "(" + (unary.op() == Ast.UnaryOp.NEGATE ? "-" : "not ") + expression(unary.operand()) + ")";
            }
            if (expr instanceof Ast.Binary binary) {
                return "(" + expression(binary.left()) + " " + binary.op().symbol() + " "
                        + expression(binary.right()) + ")";
            }
            Ast.Call call = (Ast.Call) expr;
            return call.function() + "(" + expressions(call.arguments()) + ")";
        }

        private static String expressions(List<Expr> exprs) {
            return exprs.stream().map(Render::expression).collect(Collectors.joining(", "));
        }
    }
}

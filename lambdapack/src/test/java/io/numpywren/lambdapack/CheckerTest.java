package io.numpywren.lambdapack;

import io.numpywren.matrix.BlockMatrix;
import io.numpywren.storage.InMemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckerTest {

    /** Parses a program whose body is {@code body}, indented one level. */
    private static Program check(String body) {
        String indented = ("\n" + body.stripTrailing()).replace("\n", "\n    ") + "\n";
        return Program.parse("t.lp", "def p(A: BigMatrix, B: BigMatrix, N: int):" + indented);
    }

    @Test
    void aWellFormedProgramChecksAndDescribesItsStatements() {
        Program p = check("""
                for i in range(0, N):
                    next = i + 1
                    B[i, 0] = scale(A[next, 0], alpha=2.0)
                """);
        assertThat(p.statementCount()).isEqualTo(1);
        assertThat(p.kernelName(0)).isEqualTo("scale");
        assertThat(p.statementText(0)).isEqualTo("B[i,0] = scale(A[next,0])");
        assertThat(p.loopVariables(0)).containsExactly("i");
        assertThat(p.intParameters()).containsExactly("N");
        assertThat(p.matrixParameters()).containsExactly("A", "B");
        assertThat(p.matrixRank("A")).isEqualTo(2);
    }

    @Test
    void aSliceIsOneReferenceThatKernelsWithoutAFixedArityMayRead() {
        Program p = check("""
                for i in range(0, N):
                    B[i, 0] = add(A[i, 0:i + 1])
                """);
        assertThat(p.statementText(0)).isEqualTo("B[i,0] = add(A[i,0:i+1])");
        assertThat(p.loopVariables(0)).containsExactly("i");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "B[0, 0] = potrf(A[0, 0])|unknown kernel 'potrf'",
            "B[0, 0] = chol(A[0, 0], A[1, 1])|kernel chol takes 1 input blocks, got 2",
            "B[0, 0], A[1, 1] = chol(A[0, 0])|kernel chol produces 1 output block, but 2 are assigned",
            "B[0, 0] = chol(C[0, 0])|unknown matrix 'C'",
            "B[0, 0] = chol(N[0, 0])|'N' is a parameter, not a matrix",
            "B[0, 0] = scale(A[0, 0], beta=2)|kernel scale has no argument 'beta'",
            "B[0, 0] = scale(A[0, 0], alpha=1, alpha=2)|argument 'alpha' is given twice",
            "B[0, N / 2] = chol(A[0, 0])|a block index must be an integer, got a real number",
            "B[0, 0] = chol(A[0, 0])\\nB[1, 1] = chol(A[0, 0, 0])|matrix A is indexed with 3 indices here but with 2 elsewhere",
            "B[0] = chol(A[0, 0])|matrix B needs at least 2 block indices",
            "B[x, 0] = chol(A[0, 0])|unknown name 'x'",
            "for i in range(0, N):\\n    B[i * i, 0] = chol(A[i, 0])|not affine in loop variable 'i'",
            "for i in range(0, N):\\n    B[i // 2, i] = chol(A[i, 0])|not affine in loop variable 'i'",
            "if N:\\n    B[0, 0] = chol(A[0, 0])|an if condition must be a comparison or boolean",
            "for i in range(0, 2.5):\\n    B[i, 0] = chol(A[i, 0])|a range stop must be an integer",
            "N = 3\\nB[0, 0] = chol(A[0, 0])|cannot assign to 'N': it is a parameter",
            "for N in range(0, 3):\\n    B[N, 0] = chol(A[N, 0])|loop variable 'N' is already a parameter",
            "x = foo(N)\\nB[0, 0] = chol(A[0, 0])|unknown function 'foo'",
            "x = N and 1\\nB[0, 0] = chol(A[0, 0])|'and' needs a boolean",
            "x = 1\\n|calls no kernel",
            "B[0, 0:N] = add(A[0, 0])|output B has a slice index",
            "B[0, 0] = add(A[0:N, 0:N])|has two slice indices",
            "B[0, 0] = scale(A[0, 0], alpha=0:N)|expected ',' or ')'",
            "B[0, 0] = add(A[0, 0:N / 2])|a slice stop must be an integer",
            "B[0, 0] = chol(A[0, 0:N], A[0, 0])|kernel chol takes 1 input blocks, got 2"})
    void mistakesAreRejectedWithAClearMessage(String body, String message) {
        assertThatThrownBy(() -> check(body.replace("\\n", "\n")))
                .isInstanceOf(LambdaPackException.class)
                .hasMessageStartingWith("t.lp:")
                .hasMessageContaining(message);
    }

    @Test
    void aTreeLevelWithALogarithmicRangeMayAppearNonAffinely() {
        Program p = check("""
                for level in range(0, ceiling(log(N, 2))):
                    for k in range(0, N, 2**(level + 1)):
                        B[level, k + 2**level] = chol(A[k, 0])
                """);
        assertThat(p.statementCount()).isEqualTo(1);
    }

    @Test
    void errorsPointAtTheOffendingLineAndColumn() {
        assertThatThrownBy(() -> check("B[0, 0] = chol(A[0, 0])\nB[1, 1] = chol(Q[0, 0])"))
                .isInstanceOfSatisfying(LambdaPackException.class, e -> {
                    assertThat(e.line()).isEqualTo(3);
                    assertThat(e.column()).isEqualTo(20);
                });
    }

    @Test
    void aZeroDivisorIsNamedWhereItOccurs() {
        Program p = Program.parse("t.lp", """
                def p(A: BigMatrix, B: BigMatrix, N: int, G: int):
                    groups = ceiling(N / G)
                    for i in range(0, groups):
                        B[i, 0] = chol(A[i, 0])
                """);
        InMemoryBlockStore store = new InMemoryBlockStore();
        Map<String, BlockMatrix> matrices = Map.of(
                "A", BlockMatrix.builder(store, "t", "A").shape(4, 1).blockSize(1).create(),
                "B", BlockMatrix.builder(store, "t", "B").shape(4, 1).blockSize(1).create());
        assertThatThrownBy(() -> p.bind(Program.ints("N", 4, "G", 0), matrices).analyser().taskCount())
                .isInstanceOf(LambdaPackException.class)
                .hasMessage("t.lp:2:22: division by zero");
        assertThat(p.bind(Program.ints("N", 4, "G", 2), matrices).analyser().taskCount()).isEqualTo(2);
    }

    @Test
    void bindingChecksEveryParameter() {
        Program p = check("B[0, 0] = chol(A[0, 0])");
        assertThatThrownBy(() -> p.bind(Program.ints(), java.util.Map.of()))
                .hasMessageContaining("integer parameter 'N' is not bound");
        assertThatThrownBy(() -> p.bind(Program.ints("N", 1, "M", 2), java.util.Map.of()))
                .hasMessageContaining("no integer parameter 'M'");
        assertThatThrownBy(() -> p.bind(Program.ints("N", 1), java.util.Map.of()))
                .hasMessageContaining("matrix parameter 'A' is not bound");
    }

    /** The task count of {@code p} with N bound, on 1x1-block matrices of 4 rows. */
    private static long taskCount(Program p, long n) {
        return analyser(p, n).taskCount();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "N + 9223372036854775807                  | t.lp:2:23: integer overflow: 1 + 9223372036854775807 does not fit in 64 bits",
        "-N - 9223372036854775807 - 2             | integer overflow: -9223372036854775808 - 2",
        "N * 4611686018427387904 * 2              | integer overflow: 4611686018427387904 * 2",
        "2 ** 200 + N                             | t.lp:2:23: integer overflow: 2 ** 200 does not fit in 64 bits",
        "(N + 1) ** 63                            | integer overflow: 2 ** 63",
        "-(-9223372036854775807 - N)              | integer overflow: 0 - -9223372036854775808",
        "(-9223372036854775807 - N) // -1         | integer overflow: -9223372036854775808 // -1",
        "ceiling(1e30 * N)                        | integer overflow: ceiling of 1.0E30",
        "floor(-1e19 * N)                         | integer overflow: floor of -1.0E19"})
    void integerArithmeticOnIndicesNeverWrapsAndNamesWhereItOverflowed(String bound, String expected) {
        Program p = check("for i in range(0, " + bound + "):\n    B[i, 0] = chol(A[i, 0])");
        assertThatThrownBy(() -> taskCount(p, 1))
                .isInstanceOf(LambdaPackException.class)
                .hasMessageStartingWith("t.lp:2:")
                .hasMessageContaining(expected);
    }

    @Test
    void powersAreComputedBySquaringSoHugeExponentsOfSmallBasesAreExactAndQuick() {
        Program p = check("for i in range(0, 1 ** 1000000000000000000 + (-1) ** 999999999999999999 + N):\n"
                + "    B[i, 0] = chol(A[i, 0])");
        assertThat(taskCount(p, 3)).isEqualTo(3);
        assertThatThrownBy(() -> taskCount(check("for i in range(0, 2 ** -N):\n    B[i, 0] = chol(A[i, 0])"), 1))
                .hasMessageContaining("negative integer exponent -1");
    }

    @Test
    void scalarAssignmentsThatDoubleTheirExpressionAreRefusedBeforeTheyCanRunForever() {
        StringBuilder body = new StringBuilder("x0 = N\n");
        for (int i = 1; i <= 60; i++) {
            body.append("x").append(i).append(" = x").append(i - 1).append(" + x").append(i - 1).append('\n');
        }
        body.append("B[0, 0] = scale(A[0, 0], alpha=x60)\n");
        assertThatThrownBy(() -> check(body.toString()))
                .isInstanceOf(LambdaPackException.class)
                .hasMessageContaining("expression too large once its scalar assignments are written out")
                .hasMessageStartingWith("t.lp:");
    }

    @Test
    void aLongChainOfScalarAssignmentsIsRefusedBeforeItCanOverflowTheStack() {
        StringBuilder body = new StringBuilder("x0 = N\n");
        for (int i = 1; i <= 5_000; i++) {
            body.append("x").append(i).append(" = x").append(i - 1).append(" + 1\n");
        }
        body.append("B[0, 0] = scale(A[0, 0], alpha=x5000)\n");
        assertThatThrownBy(() -> check(body.toString()))
                .isInstanceOf(LambdaPackException.class)
                .hasMessageContaining("deep; at most");
    }

    @Test
    void loopsThatEndNearTheLargestLongNeitherWrapNorRunForever() {
        Program guarded = check("for i in range(9223372036854775800, 9223372036854775807, 5):\n"
                + "    if i > N:\n        B[0, 0] = chol(A[0, 0])");
        assertThat(taskCount(guarded, 0)).isEqualTo(2);
        Program plain = check("for i in range(9223372036854775800, 9223372036854775807, 5):\n    B[0, 0] = chol(A[0, 0])");
        assertThat(taskCount(plain, 0)).isEqualTo(2);
        Program everything = check("for i in range(-9223372036854775807 - N, 9223372036854775807):\n"
                + "    B[0, 0] = chol(A[0, 0])");
        assertThatThrownBy(() -> taskCount(everything, 1))
                .isInstanceOf(LambdaPackException.class)
                .hasMessageStartingWith("t.lp:3:")
                .hasMessageContaining("integer overflow: the length of loop 'i'");
    }

    /** {@code p} bound with N, on 1x1-block placeholder matrices of 4 rows. */
    private static Analyser analyser(Program p, long n) {
        InMemoryBlockStore store = new InMemoryBlockStore();
        Map<String, BlockMatrix> matrices = Map.of(
                "A", BlockMatrix.builder(store, "t", "A").shape(4, 1).blockSize(1).create(),
                "B", BlockMatrix.builder(store, "t", "B").shape(4, 1).blockSize(1).create());
        return p.bind(Program.ints("N", n), matrices).analyser();
    }

    @Test
    void aBoundedCountIsExactBelowItsLimitAndStopsAboveIt() {
        Program triangle = check("for i in range(0, N):\n    for j in range(0, i + 1):\n        B[i, j] = chol(A[i, j])");
        assertThat(analyser(triangle, 100).taskCountUpTo(10_000, 1_000_000)).hasValue(5050);
        assertThat(analyser(triangle, 100).taskCountUpTo(5050, 1_000_000)).hasValue(5050);
        assertThat(analyser(triangle, 100).taskCountUpTo(5049, 1_000_000)).hasValue(5050);
        // 10^12 rows of a triangle: ~5·10^23 tasks, far past a long; the count stops at its limit at once.
        assertThat(analyser(triangle, 1_000_000_000_000L).taskCountUpTo(20_000_000, 20_000_000)).hasValue(20_000_001);
        // A guard keeps the innermost loop from being counted in closed form: the walk runs out first.
        Program guarded = check("for i in range(0, N):\n    for j in range(0, N):\n        if j > 2 * N:\n"
                + "            B[i, j] = chol(A[i, j])");
        assertThat(analyser(guarded, 1_000_000_000L).taskCountUpTo(20_000_000, 1_000_000)).isEmpty();
        assertThat(analyser(guarded, 100).taskCountUpTo(20_000_000, 1_000_000)).hasValue(0);
    }

    @Test
    void validationRefusesADagTooLargeToHoldInsteadOfRunningOutOfMemory() {
        Program p = check("for i in range(0, N):\n    for j in range(0, N):\n        B[i, j] = chol(A[i, j])");
        InMemoryBlockStore store = new InMemoryBlockStore();
        Map<String, BlockMatrix> matrices = Map.of(
                "A", BlockMatrix.builder(store, "t", "A").shape(1L << 20, 1L << 20).blockSize(1).create(),
                "B", BlockMatrix.builder(store, "t", "B").shape(1L << 20, 1L << 20).blockSize(1).create());
        for (long n : new long[] {1_000, 100_000, 1L << 20}) {
            assertThatThrownBy(() -> Validator.validate(p.bind(Program.ints("N", n), matrices)))
                    .as("N=%d", n)
                    .isInstanceOf(LambdaPackException.class)
                    .hasMessageContaining("more than " + Validator.MAX_TASKS + " tasks");
        }
    }
}

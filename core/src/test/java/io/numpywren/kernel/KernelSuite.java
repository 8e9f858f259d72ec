package io.numpywren.kernel;

import io.numpywren.matrix.Block;
import io.numpywren.matrix.BlockArrayPool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static io.numpywren.kernel.Dense.EPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel against its mathematical definition, on random, ill-conditioned, tall, wide,
 * 1x1 and ragged shapes. One suite; each provider runs it through a subclass.
 */
abstract class KernelSuite {

    /** The name of the provider under test. */
    protected abstract String providerName();

    /** The provider under test. */
    protected final LinearAlgebra provider() {
        return LinearAlgebraProviders.select(providerName());
    }

    /** The suite really runs on the provider it names (not on a fallback). */
    @Test
    void runsOnTheProviderItNames() {
        assertThat(provider().name()).isEqualTo(providerName());
    }

    /** A provider that cannot load on this machine skips the suite and says why. */
    @BeforeEach
    void theProviderLoadsHere() {
        try {
            provider();
        } catch (IllegalStateException unavailable) {
            abort(providerName() + " does not load here, so its kernels were not tested: " + unavailable.getMessage());
        }
    }

    private List<Block> run(String kernel, KernelArgs args, Block... inputs) {
        List<Block> in = List.of(inputs);
        List<Block> copies = new ArrayList<>();
        for (Block b : inputs) {
            copies.add(b.copy());
        }
        List<Block> out = Kernels.get(kernel).run(provider(), in, args);
        assertThat(in).as("inputs of %s must not be modified", kernel).isEqualTo(copies);
        return out;
    }

    private Block run1(String kernel, KernelArgs args, Block... inputs) {
        return run(kernel, args, inputs).get(0);
    }

    // ---------------------------------------------------------------- gemm, add, scale, identity

    @ParameterizedTest(name = "gemm {0}x{1} times {1}x{2}, transA={3}, transB={4}")
    @CsvSource({"1,1,1,false,false", "37,23,41,false,false", "300,7,5,true,false", "6,200,9,false,true",
            "64,64,64,true,true", "1,50,1,false,false"})
    void gemmMatchesTheProductOfItsOperands(int m, int k, int n, boolean transA, boolean transB) {
        Block a = Dense.random(m, k, 1);
        Block b = Dense.random(k, n, 2);
        Block opA = transA ? a.transpose() : a;
        Block opB = transB ? b.transpose() : b;
        Block c = run1("gemm", KernelArgs.of("transA", transA, "transB", transB), opA, opB);
        Block expected = Dense.multiply(a, b);
        assertThat(c.rows()).isEqualTo(m);
        assertThat(c.cols()).isEqualTo(n);
        assertThat(Dense.relativeError(c, expected)).isLessThan(4 * k * EPS);
    }

    @Test
    void gemmAccumulatesIntoItsFirstInputWithAlpha() {
        Block c0 = Dense.random(20, 30, 3);
        Block a = Dense.random(20, 11, 4);
        Block b = Dense.random(11, 30, 5);
        Block c = run1("gemm", KernelArgs.of("alpha", -2.0), c0, a, b);
        Block expected = Dense.add(c0, Dense.scale(Dense.multiply(a, b), -2.0));
        assertThat(Dense.relativeError(c, expected)).isLessThan(100 * EPS);
    }

    @Test
    void kernelsGivenTheirInputsComputeWhatTheyComputeOnBorrowedOnes() {
        Block square = Dense.random(16, 16, 6);
        Block x = Dense.random(16, 16, 7);
        Block y = Dense.random(16, 16, 8);
        List<Block> qr = run("qr_factor", KernelArgs.NONE, Dense.random(16, 16, 9));
        List<Block> merge = run("qr_factor", KernelArgs.NONE, Dense.triangularUpper(16, 10), Dense.triangularUpper(16, 11));
        List<Block> stacked = run("qr_factor", KernelArgs.NONE, Dense.random(16, 16, 12), Dense.random(16, 16, 13));
        List<List<Object>> calls = List.of(
                List.of("gemm", List.of(square, x, y)),
                // accumulator and operand are one block: overwriting it would corrupt the product
                List.of("gemm", List.of(square, square, y)),
                List.of("gemm_sum", List.of(square, x, y, y, x)),
                List.of("gemm_sum", List.of(square, square, x, y, y)),
                List.of("syrk", List.of(square, x, y)),
                List.of("syrk", List.of(square, square, y)),
                List.of("syrk", List.of(square, x, x)),
                List.of("qr_leaf", List.of(qr.get(0), qr.get(1), x)),
                List.of("qr_trailing_update", List.of(merge.get(0), merge.get(1), x, y)),
                List.of("qr_trailing_update", List.of(merge.get(0), merge.get(1), x, x)),
                List.of("qr_trailing_update", List.of(stacked.get(0), stacked.get(1), x, y)),
                List.of("lq_leaf", List.of(qr.get(0), qr.get(1), x)),
                List.of("lq_trailing_update", List.of(merge.get(0), merge.get(1), x, y)),
                List.of("lq_trailing_update", List.of(merge.get(0), merge.get(1), y, y)));
        for (List<Object> call : calls) {
            String kernel = (String) call.get(0);
            @SuppressWarnings("unchecked")
            List<Block> inputs = (List<Block>) call.get(1);
            List<Block> borrowed = Kernels.get(kernel).run(provider(), inputs, KernelArgs.NONE);
            // Fresh copies, aliased the same way, for the caller that gives its inputs up.
            java.util.Map<Block, Block> fresh = new java.util.IdentityHashMap<>();
            List<Block> given = new ArrayList<>();
            for (Block b : inputs) {
                given.add(fresh.computeIfAbsent(b, Block::copy));
            }
            List<Block> owned = Kernels.get(kernel).runReusingInputs(provider(), given, KernelArgs.NONE);
            assertThat(owned).as("%s on %d inputs", kernel, inputs.size()).isEqualTo(borrowed);
        }
    }

    @Test
    void gemmSumAddsEveryProductOfItsTwoSlicesToItsOptionalAccumulator() {
        Block a1 = Dense.random(20, 7, 1);
        Block a2 = Dense.random(20, 11, 2);
        Block a3 = Dense.random(20, 5, 3);
        Block b1 = Dense.random(7, 30, 4);
        Block b2 = Dense.random(11, 30, 5);
        Block b3 = Dense.random(5, 30, 6);
        Block sum = Dense.add(Dense.add(Dense.multiply(a1, b1), Dense.multiply(a2, b2)), Dense.multiply(a3, b3));
        assertThat(Dense.relativeError(run1("gemm_sum", KernelArgs.NONE, a1, a2, a3, b1, b2, b3), sum))
                .isLessThan(100 * EPS);
        Block c0 = Dense.random(20, 30, 7);
        assertThat(Dense.relativeError(run1("gemm_sum", KernelArgs.NONE, c0, a1, a2, a3, b1, b2, b3), Dense.add(c0, sum)))
                .isLessThan(100 * EPS);
        assertThat(Dense.relativeError(run1("gemm_sum", KernelArgs.NONE, a2, b2), Dense.multiply(a2, b2)))
                .isLessThan(100 * EPS);
    }

    @Test
    void onlyInputsTheCallerDoesNotVouchForAreCheckedForNonFiniteValues() {
        Block nan = Dense.random(3, 3, 1);
        nan.set(0, 2, Double.NaN);
        Block fine = Dense.random(3, 3, 2);
        Kernel add = Kernels.get("add");
        assertThat(add.run(provider(), List.of(fine, nan), KernelArgs.NONE, false, new boolean[] {false, true})
                .get(0).get(0, 2)).isNaN();
        assertThatThrownBy(() -> add.run(provider(), List.of(fine, nan), KernelArgs.NONE, false, new boolean[] {true, false}))
                .isInstanceOf(KernelException.class).hasMessageContaining("input 2 of 2");
        assertThatThrownBy(() -> add.run(provider(), List.of(fine, nan), KernelArgs.NONE, false, new boolean[] {true}))
                .hasMessageContaining("knownFinite has 1 entries for 2 inputs");
    }

    @Test
    void gemmSumNamesTheProductWhoseShapesDisagree() {
        assertThatThrownBy(() -> run("gemm_sum", KernelArgs.NONE, Dense.random(4, 5, 1), Dense.random(4, 6, 2),
                Dense.random(5, 3, 3), Dense.random(5, 3, 4)))
                .isInstanceOf(KernelException.class).hasMessageContaining("product 2 of 2")
                .hasMessageContaining("4x6").hasMessageContaining("5x3");
        assertThatThrownBy(() -> run("gemm_sum", KernelArgs.NONE, Dense.random(3, 3, 1), Dense.random(4, 5, 1),
                Dense.random(5, 2, 2)))
                .isInstanceOf(KernelException.class).hasMessageContaining("accumulator is 3x3");
        assertThatThrownBy(() -> run("gemm_sum", KernelArgs.NONE, Dense.random(3, 3, 1)))
                .isInstanceOf(KernelException.class).hasMessageContaining("expects at least 2 input blocks, got 1");
    }

    @Test
    void gemmRejectsMismatchedInnerDimensions() {
        assertThatThrownBy(() -> run("gemm", KernelArgs.NONE, Dense.random(4, 5, 1), Dense.random(6, 3, 2)))
                .isInstanceOf(KernelException.class)
                .hasMessageContaining("inner dimensions differ").hasMessageContaining("4x5").hasMessageContaining("6x3");
    }

    @Test
    void gemmRejectsAnAccumulatorOfTheWrongShape() {
        assertThatThrownBy(() -> run("gemm", KernelArgs.NONE, Dense.random(3, 3, 1), Dense.random(4, 5, 1),
                Dense.random(5, 2, 2)))
                .isInstanceOf(KernelException.class).hasMessageContaining("accumulator is 3x3");
    }

    @Test
    void addSumsAnyNumberOfBlocks() {
        Block x = Dense.random(9, 4, 1);
        Block y = Dense.random(9, 4, 2);
        Block z = Dense.random(9, 4, 3);
        assertThat(run1("add", KernelArgs.NONE, x, y, z)).isEqualTo(Dense.add(Dense.add(x, y), z));
        assertThat(run1("add", KernelArgs.NONE, x)).isEqualTo(x);
        assertThatThrownBy(() -> run("add", KernelArgs.NONE, x, Dense.random(4, 9, 1)))
                .isInstanceOf(KernelException.class).hasMessageContaining("input 2 is 4x9");
    }

    @Test
    void scaleMultipliesEveryEntryAndRequiresAlpha() {
        Block x = Dense.random(5, 7, 1);
        assertThat(run1("scale", KernelArgs.of("alpha", 3.0), x)).isEqualTo(Dense.scale(x, 3.0));
        assertThatThrownBy(() -> run("scale", KernelArgs.NONE, x)).hasMessageContaining("'alpha' is required");
    }

    @Test
    void identityHasOnesOnTheDiagonalOnly() {
        Block i = run1("identity", KernelArgs.of("rows", 3, "cols", 5));
        assertThat(i).isEqualTo(Block.ofRows(new double[] {1, 0, 0, 0, 0}, new double[] {0, 1, 0, 0, 0},
                new double[] {0, 0, 1, 0, 0}));
    }

    // ---------------------------------------------------------------- chol, trsm, syrk

    @ParameterizedTest(name = "chol of an SPD {0}x{0} matrix with condition {1}")
    @CsvSource({"1,1", "7,10", "64,1e3", "130,1e6", "97,1e12"})
    void cholReproducesItsInput(int n, double condition) {
        Block a = Dense.spd(n, condition, n);
        Block l = run1("chol", KernelArgs.NONE, a);
        assertThat(Dense.isLowerTriangular(l)).as("L is lower triangular").isTrue();
        Block llt = Dense.multiply(l, l.transpose());
        assertThat(Dense.relativeError(llt, a)).isLessThan(10 * n * EPS);
    }

    @Test
    void cholSaysWhereAMatrixIsNotPositiveDefinite() {
        Block a = Block.identity(6, 6);
        a.set(3, 3, -1.0);
        assertThatThrownBy(() -> run("chol", KernelArgs.NONE, a))
                .isInstanceOf(KernelException.class)
                .hasMessageContaining("not positive definite")
                .hasMessageContaining("order 4")
                .hasMessageContaining("row and column 3");
    }

    @Test
    void cholRejectsNonSquareAndNonFiniteInput() {
        assertThatThrownBy(() -> run("chol", KernelArgs.NONE, Dense.random(3, 4, 1)))
                .isInstanceOf(KernelException.class).hasMessageContaining("must be square, got 3x4");
        Block a = Block.identity(4, 4);
        a.set(2, 1, Double.NaN);
        assertThatThrownBy(() -> run("chol", KernelArgs.NONE, a))
                .isInstanceOf(KernelException.class).hasMessageContaining("non-finite value NaN at (2,1)");
    }

    @ParameterizedTest(name = "trsm right={0} lower={1} transA={2} with {3}x{4} right-hand side")
    @CsvSource({
            "false,true,false,1,1", "false,true,false,100,3", "false,false,false,130,17", "false,true,true,65,64",
            "false,false,true,129,5", "true,true,false,3,100", "true,false,false,17,130", "true,true,true,64,65",
            "true,false,true,5,129"})
    void trsmSolvesTheTriangularSystem(boolean right, boolean lower, boolean transA, int m, int n) {
        int order = right ? n : m;
        Block a = Dense.triangular(order, lower, order * 7L + m);
        Block b = Dense.random(m, n, 11);
        Block x = run1("trsm", KernelArgs.of("right", right, "lower", lower, "transA", transA), a, b);
        Block opA = transA ? a.transpose() : a;
        Block product = right ? Dense.multiply(x, opA) : Dense.multiply(opA, x);
        double scale = Dense.norm(a) * Dense.norm(x);
        assertThat(Dense.norm(Dense.subtract(product, b)) / scale).isLessThan(10 * order * EPS);
    }

    @Test
    void trsmDefaultsToLowerOnTheLeftAndRejectsSingularOrMismatchedInput() {
        Block l = Dense.triangular(8, true, 3);
        Block b = Dense.random(8, 2, 4);
        Block x = run1("trsm", KernelArgs.NONE, l, b);
        assertThat(Dense.relativeError(Dense.multiply(l, x), b)).isLessThan(100 * EPS);

        Block singular = l.copy();
        singular.set(5, 5, 0.0);
        assertThatThrownBy(() -> run("trsm", KernelArgs.NONE, singular, b))
                .isInstanceOf(KernelException.class).hasMessageContaining("singular").hasMessageContaining("(5,5)");
        assertThatThrownBy(() -> run("trsm", KernelArgs.of("right", true), l, b))
                .isInstanceOf(KernelException.class).hasMessageContaining("8x8").hasMessageContaining("8x2");
    }

    @Test
    void syrkSubtractsTheOuterProduct() {
        Block s = Dense.random(30, 20, 1);
        Block x = Dense.random(30, 9, 2);
        Block y = Dense.random(20, 9, 3);
        Block out = run1("syrk", KernelArgs.NONE, s, x, y);
        assertThat(Dense.relativeError(out, Dense.subtract(s, Dense.multiply(x, y.transpose())))).isLessThan(50 * EPS);
        Block sym = Dense.random(30, 30, 4);
        Block out2 = run1("syrk", KernelArgs.NONE, sym, x);
        assertThat(Dense.relativeError(out2, Dense.subtract(sym, Dense.multiply(x, x.transpose()))))
                .isLessThan(50 * EPS);
        assertThatThrownBy(() -> run("syrk", KernelArgs.NONE, s, x, Dense.random(20, 8, 1)))
                .isInstanceOf(KernelException.class).hasMessageContaining("Y 20x8");
    }

    @Test
    void theSymmetricSyrkIsExactEvenForAnUnsymmetricS() {
        // 150 > the portable routine's 64-wide diagonal blocks, and odd, so the recursion splits raggedly.
        Block s = Dense.random(150, 150, 5);
        Block x = Dense.random(150, 37, 6);
        Block expected = Dense.subtract(s, Dense.multiply(x, x.transpose()));
        assertThat(Dense.relativeError(run1("syrk", KernelArgs.NONE, s, x), expected)).isLessThan(50 * EPS);
        // The same block given as X and Y (as a worker passes a key named twice) takes the same path.
        assertThat(Dense.relativeError(run1("syrk", KernelArgs.NONE, s, x, x), expected)).isLessThan(50 * EPS);
        assertThat(Kernels.get("syrk").flops(List.of(new int[] {8, 8}, new int[] {8, 3}), KernelArgs.NONE))
                .isEqualTo(8L * 9 * 3 + 64);
    }

    @Test
    void aLowerOnlySyrkUpdatesTheLowerTriangleAndKeepsSsUpperOne() {
        Block s = Dense.random(150, 150, 7);
        Block x = Dense.random(150, 37, 8);
        Block expected = Dense.subtract(s, Dense.multiply(x, x.transpose()));
        KernelArgs lower = KernelArgs.of("lower", true);
        Block out = run1("syrk", lower, s, x);
        double scale = Dense.norm(expected);
        for (int j = 0; j < 150; j++) {
            for (int i = 0; i < 150; i++) {
                if (i >= j) {
                    assertThat(Math.abs(out.get(i, j) - expected.get(i, j))).as("(%d,%d)", i, j)
                            .isLessThan(50 * EPS * scale);
                } else {
                    assertThat(out.get(i, j)).as("(%d,%d) keeps S's value", i, j).isEqualTo(s.get(i, j));
                }
            }
        }
        // Given up by its caller, S is updated in place to the same result; X is untouched.
        Block sOwned = s.copy();
        Block xBefore = x.copy();
        assertThat(Kernels.get("syrk").runReusingInputs(provider(), List.of(sOwned, x), lower)).containsExactly(out);
        assertThat(x).isEqualTo(xBefore);
        assertThat(Kernels.get("syrk").flops(List.of(new int[] {8, 8}, new int[] {8, 3}), lower))
                .isEqualTo(8L * 9 * 3 + 36);
        assertThatThrownBy(() -> run("syrk", lower, s, x, Dense.random(150, 37, 9)))
                .isInstanceOf(KernelException.class).hasMessageContaining("lower=1 needs the symmetric form");
    }

    // ---------------------------------------------------------------- QR

    private void checkQr(Block a, List<Block> vtr) {
        Block v = vtr.get(0);
        Block t = vtr.get(1);
        Block r = vtr.get(2);
        int m = a.rows();
        int n = a.cols();
        int k = Math.min(m, n);
        assertThat(v.rows()).isEqualTo(m);
        assertThat(v.cols()).isEqualTo(k);
        assertThat(t.rows()).isEqualTo(k);
        assertThat(r.rows()).isEqualTo(k);
        assertThat(r.cols()).isEqualTo(n);
        assertThat(Dense.isUpperTriangular(r)).as("R is upper triangular").isTrue();
        assertThat(Dense.isUpperTriangular(t)).as("T is upper triangular").isTrue();
        for (int j = 0; j < k; j++) {
            assertThat(v.get(j, j)).as("V has a unit diagonal").isEqualTo(1.0);
            for (int i = 0; i < j; i++) {
                assertThat(v.get(i, j)).as("V is zero above its diagonal").isEqualTo(0.0);
            }
        }
        Block q = Dense.householder(v, t);
        Block qtq = Dense.multiply(q.transpose(), q);
        assertThat(Dense.norm(Dense.subtract(qtq, Block.identity(m, m)))).as("‖QᵀQ − I‖").isLessThan(20 * m * EPS);
        Block rPadded = Block.zeros(m, n);
        rPadded.paste(r, 0, 0);
        assertThat(Dense.relativeError(Dense.multiply(q, rPadded), a)).as("‖A − QR‖/‖A‖").isLessThan(20 * m * EPS);
    }

    @ParameterizedTest(name = "qr_factor of {0}x{1}")
    @CsvSource({"1,1", "200,50", "64,64", "30,80", "130,1", "1,17", "97,33"})
    void qrFactorIsAnOrthogonalTimesUpperTriangularFactorisation(int m, int n) {
        Block a = Dense.random(m, n, m * 31L + n);
        checkQr(a, run("qr_factor", KernelArgs.NONE, a));
    }

    @Test
    void qrFactorHandlesIllConditionedMatrices() {
        Block a = Dense.withSingularValues(120, 40, Dense.geometricValues(40, 1e12), 9);
        checkQr(a, run("qr_factor", KernelArgs.NONE, a));
    }

    @Test
    void qrFactorOfTwoStackedBlocksFactorsTheirStack() {
        Block r1 = Dense.triangularUpper(40, 1);
        Block r2 = Dense.triangularUpper(40, 2);
        checkQr(Dense.stack(r1, r2), run("qr_factor", KernelArgs.NONE, r1, r2));
        Block a1 = Dense.random(50, 30, 3);
        Block a2 = Dense.random(21, 30, 4);
        checkQr(Dense.stack(a1, a2), run("qr_factor", KernelArgs.NONE, a1, a2));
        assertThatThrownBy(() -> run("qr_factor", KernelArgs.NONE, a1, Dense.random(5, 31, 1)))
                .isInstanceOf(KernelException.class).hasMessageContaining("same number of columns");
    }

    @Test
    void qrLeafAppliesQTransposed() {
        Block a = Dense.random(90, 40, 5);
        List<Block> vtr = run("qr_factor", KernelArgs.NONE, a);
        Block rPadded = Block.zeros(90, 40);
        rPadded.paste(vtr.get(2), 0, 0);
        Block applied = run1("qr_leaf", KernelArgs.NONE, vtr.get(0), vtr.get(1), a);
        assertThat(Dense.norm(Dense.subtract(applied, rPadded)) / Dense.norm(a)).isLessThan(20 * 90 * EPS);

        Block c = Dense.random(90, 13, 6);
        Block qtc = run1("qr_leaf", KernelArgs.NONE, vtr.get(0), vtr.get(1), c);
        Block expected = Dense.multiply(Dense.householder(vtr.get(0), vtr.get(1)).transpose(), c);
        assertThat(Dense.relativeError(qtc, expected)).isLessThan(20 * 90 * EPS);
        assertThatThrownBy(() -> run("qr_leaf", KernelArgs.NONE, vtr.get(0), vtr.get(1), Dense.random(89, 3, 1)))
                .isInstanceOf(KernelException.class).hasMessageContaining("V has 90 rows");
    }

    @Test
    void qrTrailingUpdateAppliesTheStackedReflectorToAPairOfBlocks() {
        Block top = Dense.triangularUpper(32, 7);
        Block bottom = Dense.random(25, 32, 8);
        List<Block> vtr = run("qr_factor", KernelArgs.NONE, top, bottom);
        Block c1 = Dense.random(32, 19, 9);
        Block c2 = Dense.random(25, 19, 10);
        List<Block> updated = run("qr_trailing_update", KernelArgs.NONE, vtr.get(0), vtr.get(1), c1, c2);
        Block expected = Dense.multiply(Dense.householder(vtr.get(0), vtr.get(1)).transpose(), Dense.stack(c1, c2));
        assertThat(updated.get(0).rows()).isEqualTo(32);
        assertThat(updated.get(1).rows()).isEqualTo(25);
        assertThat(Dense.relativeError(Dense.stack(updated.get(0), updated.get(1)), expected)).isLessThan(20 * 57 * EPS);
    }

    @Test
    void qrTrailingUpdateOfTwoStackedTrianglesTakesTheTriangularPathAndAgrees() {
        // A merge in CAQR's tree: both blocks are R factors, so V = [I; upper triangle].
        for (int k : new int[] {1, 7, 48}) {
            Block top = Dense.triangularUpper(k, 11);
            Block bottom = Dense.triangularUpper(k, 12);
            List<Block> vtr = run("qr_factor", KernelArgs.NONE, top, bottom);
            Block c1 = Dense.random(k, 23, 13);
            Block c2 = Dense.random(k, 23, 14);
            List<Block> updated = run("qr_trailing_update", KernelArgs.NONE, vtr.get(0), vtr.get(1), c1, c2);
            Block expected = Dense.multiply(Dense.householder(vtr.get(0), vtr.get(1)).transpose(), Dense.stack(c1, c2));
            assertThat(Dense.relativeError(Dense.stack(updated.get(0), updated.get(1)), expected)).as("k=%d", k)
                    .isLessThan(20 * 2 * k * EPS);
            // Applying it to the stacked triangles themselves gives R over zeros.
            List<Block> onItself = run("qr_trailing_update", KernelArgs.NONE, vtr.get(0), vtr.get(1), top, bottom);
            assertThat(Dense.norm(Dense.subtract(onItself.get(0), vtr.get(2))) / Dense.norm(top)).as("k=%d", k)
                    .isLessThan(20 * 2 * k * EPS);
            assertThat(Dense.norm(onItself.get(1)) / Dense.norm(top)).as("k=%d", k).isLessThan(20 * 2 * k * EPS);
        }
    }

    @Test
    void mergesAndAppliesBeyondOneInnerPanel() {
        // k = 300 spans three of the kernels' 128-reflector panels, the last one ragged.
        int k = 300;
        Block top = Dense.triangularUpper(k, 31);
        Block bottom = Dense.triangularUpper(k, 32);
        List<Block> vtr = run("qr_factor", KernelArgs.NONE, top, bottom);
        checkQr(Dense.stack(top, bottom), vtr);
        Block c1 = Dense.random(k, 9, 33);
        Block c2 = Dense.random(k, 9, 34);
        List<Block> updated = run("qr_trailing_update", KernelArgs.NONE, vtr.get(0), vtr.get(1), c1, c2);
        Block h = Dense.householder(vtr.get(0), vtr.get(1));
        assertThat(Dense.relativeError(Dense.stack(updated.get(0), updated.get(1)),
                Dense.multiply(h.transpose(), Dense.stack(c1, c2)))).isLessThan(20 * 2 * k * EPS);

        Block a = Dense.random(k + 20, k, 35);
        List<Block> leaf = run("qr_factor", KernelArgs.NONE, a);
        checkQr(a, leaf);
        Block c = Dense.random(k + 20, 7, 36);
        assertThat(Dense.relativeError(run1("qr_leaf", KernelArgs.NONE, leaf.get(0), leaf.get(1), c),
                Dense.multiply(Dense.householder(leaf.get(0), leaf.get(1)).transpose(), c))).isLessThan(20 * k * EPS);

        // LQ of two side-by-side lower triangles, as BDFAC's row tree joins them.
        List<Block> vtl = run("lq_factor", KernelArgs.NONE, top.transpose(), bottom.transpose());
        Block hl = Dense.householder(vtl.get(0), vtl.get(1));
        Block lPadded = Block.zeros(k, 2 * k);
        lPadded.paste(vtl.get(2), 0, 0);
        assertThat(Dense.isLowerTriangular(vtl.get(2))).isTrue();
        assertThat(Dense.relativeError(Dense.multiply(lPadded, hl.transpose()), Dense.join(top.transpose(),
                bottom.transpose()))).as("[L1 L2] = [L 0]·Hᵀ").isLessThan(20 * 2 * k * EPS);
        List<Block> rowUpdate = run("lq_trailing_update", KernelArgs.NONE, vtl.get(0), vtl.get(1), c1.transpose(),
                c2.transpose());
        assertThat(Dense.relativeError(Dense.join(rowUpdate.get(0), rowUpdate.get(1)),
                Dense.multiply(Dense.join(c1.transpose(), c2.transpose()), hl))).isLessThan(20 * 2 * k * EPS);
    }

    // ---------------------------------------------------------------- LQ

    @ParameterizedTest(name = "lq_factor of {0}x{1}")
    @CsvSource({"1,1", "50,200", "64,64", "80,30", "1,130", "33,97"})
    void lqFactorGivesALowerTriangleAndAnOrthogonalFactor(int m, int n) {
        Block a = Dense.random(m, n, m * 17L + n);
        List<Block> vtl = run("lq_factor", KernelArgs.NONE, a);
        Block v = vtl.get(0);
        Block t = vtl.get(1);
        Block l = vtl.get(2);
        int k = Math.min(m, n);
        assertThat(v.rows()).isEqualTo(n);
        assertThat(l.rows()).isEqualTo(m);
        assertThat(l.cols()).isEqualTo(k);
        assertThat(Dense.isLowerTriangular(l)).isTrue();
        Block h = Dense.householder(v, t);
        assertThat(Dense.norm(Dense.subtract(Dense.multiply(h.transpose(), h), Block.identity(n, n))))
                .isLessThan(20 * n * EPS);
        Block lPadded = Block.zeros(m, n);
        lPadded.paste(l, 0, 0);
        assertThat(Dense.relativeError(Dense.multiply(lPadded, h.transpose()), a)).as("A = [L 0]·Hᵀ")
                .isLessThan(20 * n * EPS);
        Block applied = run1("lq_leaf", KernelArgs.NONE, v, t, a);
        assertThat(Dense.norm(Dense.subtract(applied, lPadded)) / Dense.norm(a)).as("A·H = [L 0]")
                .isLessThan(20 * n * EPS);
    }

    @Test
    void lqOfTwoSideBySideBlocksAndItsTrailingUpdate() {
        Block left = Dense.random(30, 30, 1);
        Block right = Dense.random(30, 22, 2);
        List<Block> vtl = run("lq_factor", KernelArgs.NONE, left, right);
        Block h = Dense.householder(vtl.get(0), vtl.get(1));
        Block lPadded = Block.zeros(30, 52);
        lPadded.paste(vtl.get(2), 0, 0);
        assertThat(Dense.relativeError(Dense.multiply(lPadded, h.transpose()), Dense.join(left, right)))
                .isLessThan(20 * 52 * EPS);

        Block c1 = Dense.random(12, 30, 3);
        Block c2 = Dense.random(12, 22, 4);
        List<Block> updated = run("lq_trailing_update", KernelArgs.NONE, vtl.get(0), vtl.get(1), c1, c2);
        Block expected = Dense.multiply(Dense.join(c1, c2), h);
        assertThat(updated.get(0).cols()).isEqualTo(30);
        assertThat(updated.get(1).cols()).isEqualTo(22);
        assertThat(Dense.relativeError(Dense.join(updated.get(0), updated.get(1)), expected)).isLessThan(20 * 52 * EPS);
    }

    // ---------------------------------------------------------------- singular values

    @ParameterizedTest(name = "singular_values of {0}x{1} with condition {2}")
    @CsvSource({"1,1,1", "60,60,1e3", "90,30,1e10", "30,90,1e2"})
    void singularValuesAreThoseTheMatrixWasBuiltWith(int m, int n, double condition) {
        int k = Math.min(m, n);
        double[] expected = Dense.geometricValues(k, condition);
        Block a = Dense.withSingularValues(m, n, expected, m + n);
        Block s = run1("singular_values", KernelArgs.NONE, a);
        assertThat(s.rows()).isEqualTo(k);
        assertThat(s.cols()).isEqualTo(1);
        for (int i = 0; i < k; i++) {
            assertThat(Math.abs(s.get(i, 0) - expected[i])).as("σ%d", i).isLessThan(50 * Math.max(m, n) * EPS);
        }
    }

    @ParameterizedTest(name = "band_singular_values of order {0} with {1} superdiagonals")
    @CsvSource({"1,0", "40,1", "64,8", "97,31", "20,19"})
    void bandSingularValuesMatchTheDenseMatrixs(int n, int ku) {
        Block dense = Block.zeros(n, n);
        Block r = Dense.random(n, n, n * 3L + ku);
        for (int j = 0; j < n; j++) {
            for (int i = Math.max(0, j - ku); i <= j; i++) {
                dense.set(i, j, r.get(i, j));
            }
        }
        Block ab = BandStorage.fromDense(dense, ku);
        assertThat(BandStorage.toDense(ab)).isEqualTo(dense);
        double[] band = run1("band_singular_values", KernelArgs.NONE, ab).data();
        double[] full = run1("singular_values", KernelArgs.NONE, dense).data();
        assertThat(band).hasSize(n);
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            assertThat(Math.abs(band[i] - full[i])).as("σ%d", i).isLessThan(50 * n * EPS * full[0]);
            if (i > 0) {
                assertThat(band[i]).isLessThanOrEqualTo(band[i - 1]);
            }
            sumSquares += band[i] * band[i];
        }
        double frob = Dense.norm(dense);
        assertThat(Math.abs(sumSquares - frob * frob) / (frob * frob)).as("Σσ² = ‖A‖²").isLessThan(100 * n * EPS);
    }

    @Test
    void bandStorageRejectsEntriesOutsideTheBand() {
        Block dense = Block.identity(5, 5);
        dense.set(0, 3, 2.0);
        assertThatThrownBy(() -> BandStorage.fromDense(dense, 2)).hasMessageContaining("entry (0,3)");
        dense.set(0, 3, 0.0);
        dense.set(4, 1, 1.0);
        assertThatThrownBy(() -> BandStorage.fromDense(dense, 2)).hasMessageContaining("entry (4,1)");
    }

    // ---------------------------------------------------------------- calls and flop counts

    @Test
    void callsWithTheWrongArityOrUnknownArgumentsAreRejectedWithTheKernelsName() {
        assertThatThrownBy(() -> run("chol", KernelArgs.NONE))
                .isInstanceOf(KernelException.class).hasMessageStartingWith("chol:").hasMessageContaining("expects 1");
        assertThatThrownBy(() -> run("gemm", KernelArgs.of("transpose", true), Dense.random(2, 2, 1), Dense.random(2, 2, 2)))
                .isInstanceOf(KernelException.class).hasMessageContaining("unknown argument 'transpose'");
        assertThatThrownBy(() -> run("trsm", KernelArgs.of("right", 2), Block.identity(2, 2), Dense.random(2, 2, 2)))
                .isInstanceOf(KernelException.class).hasMessageContaining("'right' must be a boolean");
        assertThatThrownBy(() -> Kernels.get("potrf")).hasMessageContaining("unknown kernel 'potrf'")
                .hasMessageContaining("chol");
    }

    // ---------------------------------------------------------------- the block-array pool

    /**
     * At block sizes the pool keeps, the QR and LQ kernels hand their own work copies, stacks,
     * transposes and scratch to it, never an input or an output; the pool is primed with
     * NaN-filled arrays so that scratch read before it is written would show in the results.
     */
    @Test
    void atPooledSizesQrKernelsRecycleOnlyTheirOwnTemporaries() {
        int k = 512; // k·k values and the 128 x 2k scratch are at least BlockArrayPool.MIN_LENGTH
        BlockArrayPool pool = BlockArrayPool.shared();
        int[] lengths = {k * k, 2 * k * k, BlockedReflectors.INNER_BLOCK * 2 * k};
        assumeTrue(pool.capacityBytes() - pool.heldBytes() > 64L << 20, "the shared pool has room");
        Set<double[]> primed = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int length : lengths) {
            for (int i = 0; i < 3; i++) {
                double[] garbage = new double[length];
                Arrays.fill(garbage, Double.NaN);
                primed.add(garbage);
                pool.give(garbage);
            }
        }
        Set<double[]> owned = Collections.newSetFromMap(new IdentityHashMap<>());
        List<double[]> held = new ArrayList<>();
        try {
            Block a1 = Dense.random(k, k, 41);
            Block a2 = Dense.random(k, k, 42);
            Block r1 = Dense.triangularUpper(k, 43);
            Block r2 = Dense.triangularUpper(k, 44);
            Block wide = Dense.random(k, 2 * k, 45);
            List<Block> blocks = new ArrayList<>(List.of(a1, a2, r1, r2, wide));
            double tolerance = 20 * 2 * k * EPS;

            List<Block> qr = run("qr_factor", KernelArgs.NONE, a1);
            assertThat(Dense.relativeError(run1("qr_leaf", KernelArgs.NONE, qr.get(0), qr.get(1), a1), qr.get(2)))
                    .as("Qᵀ·A = R").isLessThan(tolerance);
            Block qtWide = run1("qr_leaf", KernelArgs.NONE, qr.get(0), qr.get(1), wide);
            assertThat(Math.abs(Dense.norm(qtWide) - Dense.norm(wide)) / Dense.norm(wide)).as("‖Qᵀ·C‖ = ‖C‖")
                    .isLessThan(tolerance);
            blocks.addAll(qr);
            blocks.add(qtWide);
            for (Block[] pair : new Block[][] {{a1, a2}, {r1, r2}}) {
                List<Block> vtr = run("qr_factor", KernelArgs.NONE, pair[0], pair[1]);
                List<Block> onItself = run("qr_trailing_update", KernelArgs.NONE, vtr.get(0), vtr.get(1), pair[0], pair[1]);
                assertThat(Dense.relativeError(onItself.get(0), vtr.get(2))).as("stacked QR: R on top").isLessThan(tolerance);
                assertThat(Dense.norm(onItself.get(1)) / Dense.norm(vtr.get(2))).as("stacked QR: zeros below")
                        .isLessThan(tolerance);
                blocks.addAll(vtr);
                blocks.addAll(onItself);
            }
            List<Block> lq = run("lq_factor", KernelArgs.NONE, a1);
            assertThat(Dense.relativeError(run1("lq_leaf", KernelArgs.NONE, lq.get(0), lq.get(1), a1), lq.get(2)))
                    .as("A·Q = L").isLessThan(tolerance);
            blocks.addAll(lq);
            Block l1 = r1.transpose();
            Block l2 = r2.transpose();
            blocks.addAll(List.of(l1, l2));
            for (Block[] pair : new Block[][] {{a1, a2}, {l1, l2}}) {
                List<Block> vtl = run("lq_factor", KernelArgs.NONE, pair[0], pair[1]);
                List<Block> onItself = run("lq_trailing_update", KernelArgs.NONE, vtl.get(0), vtl.get(1), pair[0], pair[1]);
                assertThat(Dense.relativeError(onItself.get(0), vtl.get(2))).as("joined LQ: L on the left").isLessThan(tolerance);
                assertThat(Dense.norm(onItself.get(1)) / Dense.norm(vtl.get(2))).as("joined LQ: zeros to the right")
                        .isLessThan(tolerance);
                blocks.addAll(vtl);
                blocks.addAll(onItself);
            }
            blocks.forEach(b -> owned.add(b.data()));
        } finally {
            // Empty the pool of these lengths, so no NaN-filled array outlives the test.
            for (int length : lengths) {
                while (true) {
                    long before = pool.heldBytes();
                    double[] a = pool.take(length);
                    if (pool.heldBytes() == before) {
                        break;
                    }
                    held.add(a);
                }
            }
        }
        assertThat(held).as("arrays the pool holds after the kernels ran").noneMatch(owned::contains);
        // A NaN-primed array the kernels took, wrote and gave back, or a fresh one, holds finite values.
        assertThat(held).as("the kernels gave back temporaries of their own")
                .anyMatch(a -> !primed.contains(a) || Arrays.stream(a).anyMatch(Double::isFinite));
    }

    @Test
    void kernelsDeclareTheirFlopCounts() {
        assertThat(Kernels.get("gemm").flops(List.of(new int[] {10, 20}, new int[] {20, 30}), KernelArgs.NONE))
                .isEqualTo(2L * 10 * 20 * 30);
        assertThat(Kernels.get("gemm_sum").flops(List.of(new int[] {10, 20}, new int[] {10, 5}, new int[] {20, 30},
                new int[] {5, 30}), KernelArgs.NONE)).isEqualTo(2L * 10 * 20 * 30 + 2L * 10 * 5 * 30);
        assertThat(Kernels.get("gemm_sum").flops(List.of(new int[] {10, 30}, new int[] {10, 20}, new int[] {20, 30}),
                KernelArgs.NONE)).isEqualTo(2L * 10 * 20 * 30 + 10 * 30);
        assertThat(Kernels.get("chol").flops(List.of(new int[] {300, 300}), KernelArgs.NONE)).isEqualTo(9_000_000L);
        assertThat(Kernels.get("trsm").flops(List.of(new int[] {4, 4}, new int[] {4, 9}), KernelArgs.NONE))
                .isEqualTo(4L * 4 * 9);
        assertThat(Kernels.get("syrk").flops(List.of(new int[] {8, 8}, new int[] {8, 3}, new int[] {8, 3}),
                KernelArgs.NONE)).isEqualTo(2L * 8 * 8 * 3 + 64);
        for (Kernel k : Kernels.all()) {
            int inputs = Math.max(k.minInputs(), 1);
            List<int[]> shapes = new ArrayList<>();
            for (int i = 0; i < Math.min(inputs, 4); i++) {
                shapes.add(new int[] {16, 16});
            }
            if (k.minInputs() == 0) {
                shapes.clear();
            }
            assertThat(k.flops(shapes, k.name().equals("identity") ? KernelArgs.of("rows", 16, "cols", 16)
                    : KernelArgs.NONE)).as("flops of %s", k.name()).isGreaterThanOrEqualTo(0L);
        }
        assertThat(Arrays.asList(Kernels.all().stream().map(Kernel::name).toArray())).contains("gemm", "add",
                "identity", "scale", "chol", "trsm", "syrk", "qr_factor", "qr_leaf", "qr_trailing_update",
                "lq_factor", "lq_leaf", "lq_trailing_update", "singular_values", "band_singular_values");
    }
}

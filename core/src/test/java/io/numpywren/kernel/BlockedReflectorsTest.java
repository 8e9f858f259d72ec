package io.numpywren.kernel;

import io.numpywren.matrix.Block;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The panel-by-panel routines against explicit Householder matrices, with inner blocks small
 * enough that every size below has several panels, the last one ragged.
 */
class BlockedReflectorsTest {
    private static final double EPS = Math.ulp(1.0);
    private static final LinearAlgebra LA = LinearAlgebraProviders.configured();

    private static List<Block> denseQr(Block a) {
        return Kernels.get("qr_factor").run(LA, List.of(a), KernelArgs.NONE);
    }

    @ParameterizedTest(name = "m={0} k={1} n={2} ib={3}")
    @CsvSource({"40,23,17,5", "31,31,8,4", "50,12,30,12", "9,9,3,64", "60,37,1,8"})
    void applyingByPanelsMatchesTheWholeReflector(int m, int k, int n, int ib) {
        List<Block> vt = denseQr(Dense.random(m, k, m + k));
        Block v = vt.get(0);
        Block t = vt.get(1);
        Block h = Dense.householder(v, t);
        Block c = Dense.random(m, n, 3);
        for (boolean transpose : new boolean[] {true, false}) {
            Block left = c.copy();
            BlockedReflectors.applyLeft(LA, transpose, m, n, v.cols(), v.data(), m, t.data(), t.rows(), left.data(), m, ib);
            Block expected = Dense.multiply(transpose ? h.transpose() : h, c);
            assertThat(Dense.relativeError(left, expected)).as("left, transpose=%s", transpose)
                    .isLessThan(20 * m * EPS);

            Block ct = c.transpose();
            Block right = ct.copy();
            BlockedReflectors.applyRight(LA, transpose, n, m, v.cols(), v.data(), m, t.data(), t.rows(), right.data(), n,
                    ib);
            Block expectedRight = Dense.multiply(ct, transpose ? h.transpose() : h);
            assertThat(Dense.relativeError(right, expectedRight)).as("right, transpose=%s", transpose)
                    .isLessThan(20 * m * EPS);
        }
    }

    @ParameterizedTest(name = "k={0} ib={1}")
    @CsvSource({"1,4", "7,3", "23,5", "40,8", "33,64"})
    void triangleOnTriangleFactorAndUpdatesAgreeWithTheStack(int k, int ib) {
        Block r1 = Dense.triangularUpper(k, 21);
        Block r2 = Dense.triangularUpper(k, 22);
        Block a1 = r1.copy();
        Block a2 = r2.copy();
        double[] t = new double[k * k];
        BlockedReflectors.factorTriangleOnTriangle(LA, k, a1.data(), a2.data(), t, ib);
        Block v = Block.zeros(2 * k, k);
        for (int j = 0; j < k; j++) {
            v.set(j, j, 1.0);
            for (int i = 0; i <= j; i++) {
                v.set(k + i, j, a2.get(i, j));
            }
            for (int i = j + 1; i < k; i++) {
                assertThat(a2.get(i, j)).as("V2 stays upper triangular").isEqualTo(0.0);
                a1.set(i, j, 0.0);
            }
        }
        Block tb = Block.wrap(k, k, t);
        assertThat(Dense.isUpperTriangular(tb)).isTrue();
        Block h = Dense.householder(v, tb);
        assertThat(Dense.norm(Dense.subtract(Dense.multiply(h.transpose(), h), Block.identity(2 * k, 2 * k))))
                .as("‖HᵀH − I‖").isLessThan(20 * 2 * k * EPS);
        Block rPadded = Block.zeros(2 * k, k);
        rPadded.paste(a1, 0, 0);
        Block stack = Dense.stack(r1, r2);
        assertThat(Dense.relativeError(Dense.multiply(h, rPadded), stack)).as("‖[R1; R2] − H·[R; 0]‖")
                .isLessThan(20 * 2 * k * EPS);

        Block c1 = Dense.random(k, 11, 23);
        Block c2 = Dense.random(k, 11, 24);
        Block top = c1.copy();
        Block bottom = c2.copy();
        BlockedReflectors.applyTriangleOnTriangleLeft(LA, k, 11, v.data(), t, top.data(), bottom.data(), ib);
        assertThat(Dense.relativeError(Dense.stack(top, bottom), Dense.multiply(h.transpose(), Dense.stack(c1, c2))))
                .as("Hᵀ·[C1; C2]").isLessThan(20 * 2 * k * EPS);

        Block d1 = c1.transpose();
        Block d2 = c2.transpose();
        Block left = d1.copy();
        Block right = d2.copy();
        BlockedReflectors.applyTriangleOnTriangleRight(LA, 11, k, v.data(), t, left.data(), right.data(), ib);
        assertThat(Dense.relativeError(Dense.join(left, right), Dense.multiply(Dense.join(d1, d2), h)))
                .as("[C1 C2]·H").isLessThan(20 * 2 * k * EPS);
    }
}

package io.numpywren.kernel;

import io.numpywren.matrix.Block;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The built-in block kernels, found by name. Each declares its flop count, which the
 * scheduler uses for cost estimates and the reports for GFLOP/s.
 *
 * <ul>
 *   <li>{@code gemm(A, B)} = op(A)·op(B); {@code gemm(C, A, B)} = C + alpha·op(A)·op(B);
 *       arguments transA, transB, alpha</li>
 *   <li>{@code gemm_sum([C,] A1, ..., Ap, B1, ..., Bp)} = [C +] A1·B1 + ... + Ap·Bp, the
 *       inputs two slices give: {@code gemm_sum(A[i, 0:K], B[0:K, j])}</li>
 *   <li>{@code add(X1, ..., Xn)}: the sum of n blocks of one shape</li>
 *   <li>{@code identity()}: arguments rows, cols</li>
 *   <li>{@code scale(X)}: alpha·X</li>
 *   <li>{@code chol(A)}: lower L with A = L·Lᵀ</li>
 *   <li>{@code trsm(A, B)}: X with op(A)·X = B, or X·op(A) = B when right; arguments right,
 *       lower (default true), transA</li>
 *   <li>{@code syrk(S, X, Y)} = S − X·Yᵀ; {@code syrk(S, X)} = S − X·Xᵀ; argument lower (for
 *       {@code syrk(S, X)} only): update the lower triangle alone and keep S's upper one, for
 *       consumers such as chol that read only the lower triangle</li>
 *   <li>{@code qr_factor(A)} or {@code qr_factor(A1, A2)} (stacked): V, T, R with
 *       A = (I − V·T·Vᵀ)·[R; 0]</li>
 *   <li>{@code qr_leaf(V, T, C)} = Qᵀ·C; {@code qr_trailing_update(V, T, C1, C2)} = Qᵀ·[C1; C2],
 *       split back into two blocks</li>
 *   <li>{@code lq_factor(A)} or {@code lq_factor(A1, A2)} (side by side): V, T, L with
 *       A·(I − V·T·Vᵀ) = [L 0]</li>
 *   <li>{@code lq_leaf(V, T, C)} = C·(I − V·T·Vᵀ); {@code lq_trailing_update(V, T, C1, C2)}
 *       likewise for [C1 C2]</li>
 *   <li>{@code singular_values(A)}: a column of A's singular values, descending</li>
 *   <li>{@code band_singular_values(AB)}: the same for an upper banded square matrix in LAPACK
 *       band storage ((ku+1) x n)</li>
 * </ul>
 */
public final class Kernels {
    private static final Map<String, Kernel> BUILT_IN = new LinkedHashMap<>();

    static {
        register(new KernelDefinition("gemm", 2, 3, 1, Set.of("transA", "transB", "alpha"),
                BasicKernels::gemmFlops, BasicKernels::gemm).reusingInputs(BasicKernels::gemmInPlace));
        register(new KernelDefinition("gemm_sum", 2, Integer.MAX_VALUE, 1, Set.of(),
                BasicKernels::gemmSumFlops, BasicKernels::gemmSum).reusingInputs(BasicKernels::gemmSumInPlace));
        register(new KernelDefinition("add", 1, Integer.MAX_VALUE, 1, Set.of(),
                (s, a) -> (long) (s.size() - 1) * s.get(0)[0] * s.get(0)[1], BasicKernels::add));
        register(new KernelDefinition("identity", 0, 0, 1, Set.of("rows", "cols"),
                (s, a) -> 0L, BasicKernels::identity));
        register(new KernelDefinition("scale", 1, 1, 1, Set.of("alpha"),
                (s, a) -> (long) s.get(0)[0] * s.get(0)[1], BasicKernels::scale));
        register(new KernelDefinition("chol", 1, 1, 1, Set.of(),
                (s, a) -> cube(s.get(0)[0]) / 3, BasicKernels::chol));
        register(new KernelDefinition("trsm", 2, 2, 1, Set.of("right", "lower", "transA"),
                BasicKernels::trsmFlops, BasicKernels::trsm));
        register(new KernelDefinition("syrk", 2, 3, 1, Set.of("lower"),
                BasicKernels::syrkFlops, BasicKernels::syrk).reusingInputs(BasicKernels::syrkInPlace));
        register(new KernelDefinition("qr_factor", 1, 2, 3, Set.of(),
                QrKernels::qrFactorFlops, QrKernels::qrFactor));
        register(new KernelDefinition("qr_leaf", 3, 3, 1, Set.of(),
                QrKernels::qrApplyFlops, QrKernels::qrLeaf).reusingInputs(QrKernels::qrLeafInPlace));
        register(new KernelDefinition("qr_trailing_update", 4, 4, 2, Set.of(),
                QrKernels::qrApplyFlops, QrKernels::qrTrailingUpdate)
                .reusingInputs(QrKernels::qrTrailingUpdateInPlace));
        register(new KernelDefinition("lq_factor", 1, 2, 3, Set.of(),
                QrKernels::lqFactorFlops, QrKernels::lqFactor));
        register(new KernelDefinition("lq_leaf", 3, 3, 1, Set.of(),
                QrKernels::lqApplyFlops, QrKernels::lqLeaf).reusingInputs(QrKernels::lqLeafInPlace));
        register(new KernelDefinition("lq_trailing_update", 4, 4, 2, Set.of(),
                QrKernels::lqApplyFlops, QrKernels::lqTrailingUpdate)
                .reusingInputs(QrKernels::lqTrailingUpdateInPlace));
        register(new KernelDefinition("singular_values", 1, 1, 1, Set.of(),
                SvdKernels::denseFlops, SvdKernels::singularValues));
        register(new KernelDefinition("band_singular_values", 1, 1, 1, Set.of(),
                SvdKernels::bandFlops, SvdKernels::bandSingularValues));
    }

    private Kernels() {
    }

    private static void register(Kernel kernel) {
        BUILT_IN.put(kernel.name(), kernel);
    }

    static long cube(long n) {
        return n * n * n;
    }

    /** The kernel named {@code name}; an unknown name is an error listing the known ones. */
    public static Kernel get(String name) {
        Kernel k = BUILT_IN.get(name);
        if (k == null) {
            throw new IllegalArgumentException("unknown kernel '" + name + "' (known: "
                    + String.join(", ", BUILT_IN.keySet()) + ")");
        }
        return k;
    }

    public static boolean exists(String name) {
        return BUILT_IN.containsKey(name);
    }

    public static Collection<Kernel> all() {
        return List.copyOf(BUILT_IN.values());
    }

    /** Runs {@code name} with the configured provider; a convenience for tests and tools. */
    public static List<Block> run(String name, List<Block> inputs, KernelArgs args) {
        return get(name).run(LinearAlgebraProviders.configured(), inputs, args);
    }
}

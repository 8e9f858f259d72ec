package io.numpywren.kernel;

/** The kernel suite on JBLAS (bundled natives, with the GEMM-based TRSM and compact-WY routines). */
class JblasKernelTest extends KernelSuite {
    @Override
    protected LinearAlgebra provider() {
        return LinearAlgebraProviders.select("jblas");
    }
}

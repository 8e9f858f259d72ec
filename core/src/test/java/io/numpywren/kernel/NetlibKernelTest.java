package io.numpywren.kernel;

/** The kernel suite on netlib (the machine's OpenBLAS through JNI where installed). */
class NetlibKernelTest extends KernelSuite {
    @Override
    protected LinearAlgebra provider() {
        return LinearAlgebraProviders.select("netlib");
    }
}

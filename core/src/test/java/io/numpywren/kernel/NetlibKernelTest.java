package io.numpywren.kernel;

/** The kernel suite on netlib: the machine's own BLAS through JNI where one is installed, else netlib's Java code. */
class NetlibKernelTest extends KernelSuite {
    @Override
    protected String providerName() {
        return "netlib";
    }
}

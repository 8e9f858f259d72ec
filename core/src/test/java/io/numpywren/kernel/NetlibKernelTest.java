package io.numpywren.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel suite on netlib: the machine's own BLAS through JNI where one is installed, else netlib's Java code. */
class NetlibKernelTest extends KernelSuite {
    @Override
    protected String providerName() {
        return "netlib";
    }

    /** The suite really runs on netlib. */
    @Test
    void runsOnTheProviderItNames() {
        assertThat(provider().name()).isEqualTo("netlib");
    }
}

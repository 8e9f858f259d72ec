package io.numpywren.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel suite on netlib (the machine's OpenBLAS through JNI where installed). */
class NetlibKernelTest extends KernelSuite {
    @Override
    protected LinearAlgebra provider() {
        return LinearAlgebraProviders.select("netlib");
    }

    /** The suite really runs on netlib. */
    @Test
    void runsOnTheProviderItNames() {
        assertThat(provider().name()).isEqualTo("netlib");
    }
}

package io.numpywren.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel suite on JBLAS (its bundled natives, with the GEMM-based TRSM and compact-WY routines). */
class JblasKernelTest extends KernelSuite {
    @Override
    protected String providerName() {
        return "jblas";
    }

    @Test
    void runsNatively() {
        assertThat(provider().isNative()).isTrue();
    }
}

package io.numpywren.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel suite on the OpenBLAS bundled from Maven (org.bytedeco:openblas), through its own copy of netlib's binding. */
class OpenblasKernelTest extends KernelSuite {
    @Override
    protected String providerName() {
        return "openblas";
    }

    /** Natively, on the bundled library, not on whatever netlib bound for the system. */
    @Test
    void runsNativelyOnTheBundledLibrary() {
        assertThat(provider().isNative()).isTrue();
        assertThat(provider().implementation()).contains("org.bytedeco:openblas");
        assertThat(provider()).isNotSameAs(LinearAlgebraProviders.select("netlib"));
    }
}

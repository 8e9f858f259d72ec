package io.numpywren.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The kernel suite on netlib: the machine's own BLAS through JNI where one is installed, else netlib's Java code. */
class NetlibKernelTest extends KernelSuite {
    @Override
    protected String providerName() {
        return "netlib";
    }

    /** Native exactly when the machine's BLAS loaded, and a pure-Java run says so in its reports. */
    @Test
    void runsNativelyExactlyWhenTheMachineHasABlas() {
        boolean systemBlas = SystemBlas.probe().loaded();
        assertThat(provider().isNative()).isEqualTo(systemBlas);
        assertThat(provider().reportName()).isEqualTo(systemBlas ? "netlib" : "netlib (pure Java)");
    }
}

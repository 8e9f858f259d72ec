package io.numpywren.kernel;

import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinearAlgebraProvidersTest {

    @Test
    void autoTakesTheSystemBlasWhenOneLoadsAndElseTheBundledOpenBlas() {
        LinearAlgebra auto = LinearAlgebraProviders.select("auto");
        assertThat(auto.isNative()).isTrue();
        boolean systemBlas = LinearAlgebraProviders.select("netlib").isNative();
        assertThat(auto.name()).isEqualTo(systemBlas ? "netlib" : "openblas");
    }

    @Test
    void onLinuxX86_64TheBundledProvidersNeedNothingFromTheSystem() {
        if (!Loader.getPlatform().equals("linux-x86_64")) {
            return; // core carries natives for this platform only
        }
        LinearAlgebra openblas = LinearAlgebraProviders.select("openblas");
        assertThat(openblas.isNative()).isTrue();
        assertThat(openblas.implementation()).contains("OpenBLAS bundled from Maven").contains("linux-x86_64");
        assertThat(LinearAlgebraProviders.select("jblas").isNative()).isTrue();
        assertThat(LinearAlgebraProviders.unavailable()).doesNotContainKeys("openblas", "jblas");
    }

    @Test
    void theBundledOpenBlasIsItsOwnBindingBesideTheSystemOne() {
        LinearAlgebra openblas = LinearAlgebraProviders.select("openblas");
        // A second copy of netlib's binding, so that both libraries can be bound in one JVM.
        assertThat(openblas.getClass().getClassLoader()).isNotSameAs(NetlibLinearAlgebra.class.getClassLoader());
        assertThat(openblas).isInstanceOf(LinearAlgebra.class);
        assertThat(LinearAlgebraProviders.select("netlib").getClass()).isSameAs(NetlibLinearAlgebra.class);
    }

    @Test
    void aProviderCanBeForcedByNameInAnyCase() {
        assertThat(LinearAlgebraProviders.select("JBLAS").name()).isEqualTo("jblas");
        assertThat(LinearAlgebraProviders.select(" netlib ").name()).isEqualTo("netlib");
        assertThat(LinearAlgebraProviders.select("OpenBLAS").name()).isEqualTo("openblas");
    }

    @Test
    void theConfiguredProviderFollowsTheSystemProperty() {
        String before = System.getProperty(LinearAlgebraProviders.PROPERTY);
        try {
            for (String name : LinearAlgebraProviders.NATIVE) {
                System.setProperty(LinearAlgebraProviders.PROPERTY, name);
                assertThat(LinearAlgebraProviders.configured().name()).isEqualTo(name);
            }
        } finally {
            if (before == null) {
                System.clearProperty(LinearAlgebraProviders.PROPERTY);
            } else {
                System.setProperty(LinearAlgebraProviders.PROPERTY, before);
            }
        }
    }

    @Test
    void anUnknownProviderIsRejectedWithTheChoices() {
        assertThatThrownBy(() -> LinearAlgebraProviders.select("mkl"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown kernel provider 'mkl'")
                .hasMessageContaining("auto, netlib, openblas, jblas");
    }

    @Test
    void everyProviderSaysWhatRunsUnderneathAndEveryMissingOneWhy() {
        for (LinearAlgebra la : LinearAlgebraProviders.availableNative()) {
            assertThat(la.implementation()).isNotBlank();
            assertThat(la.reportName()).isEqualTo(la.name());
        }
        Map<String, String> unavailable = LinearAlgebraProviders.unavailable();
        assertThat(LinearAlgebraProviders.availableNative().size() + unavailable.size())
                .isEqualTo(LinearAlgebraProviders.NATIVE.size());
        unavailable.forEach((name, reason) -> assertThat(reason).as(name).isNotBlank());
        LinearAlgebra netlib = LinearAlgebraProviders.select("netlib");
        assertThat(netlib.implementation()).contains(netlib.isNative() ? "system" : "Java");
        assertThat(netlib.reportName()).isEqualTo(netlib.isNative() ? "netlib" : "netlib (pure Java)");
    }

    @Test
    void theSystemLibraryLookupFollowsTheLinkersPath() {
        assertThat(SystemBlas.find("libc.so.6")).as("the C library is on every Linux linker path").isPresent();
        assertThat(SystemBlas.find("libnumpywren-absent.so.9")).isEmpty();
    }
}

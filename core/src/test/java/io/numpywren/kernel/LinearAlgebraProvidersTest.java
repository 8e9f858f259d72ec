package io.numpywren.kernel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LinearAlgebraProvidersTest {

    @Test
    void autoChoosesANativeProviderAndPrefersNetlibWhenItsNativeLibraryLoads() {
        LinearAlgebra auto = LinearAlgebraProviders.select("auto");
        assertThat(auto.isNative()).isTrue();
        boolean netlibNative = LinearAlgebraProviders.select("netlib").isNative();
        assertThat(auto.name()).isEqualTo(netlibNative ? "netlib" : "jblas");
    }

    @Test
    void aProviderCanBeForcedByNameInAnyCase() {
        assertThat(LinearAlgebraProviders.select("JBLAS").name()).isEqualTo("jblas");
        assertThat(LinearAlgebraProviders.select(" netlib ").name()).isEqualTo("netlib");
    }

    @Test
    void theConfiguredProviderFollowsTheSystemProperty() {
        String before = System.getProperty(LinearAlgebraProviders.PROPERTY);
        try {
            System.setProperty(LinearAlgebraProviders.PROPERTY, "jblas");
            assertThat(LinearAlgebraProviders.configured().name()).isEqualTo("jblas");
            System.setProperty(LinearAlgebraProviders.PROPERTY, "netlib");
            assertThat(LinearAlgebraProviders.configured().name()).isEqualTo("netlib");
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
                .hasMessageContaining("auto, netlib, jblas");
    }

    @Test
    void everyProviderSaysWhatRunsUnderneath() {
        for (LinearAlgebra la : LinearAlgebraProviders.availableNative()) {
            assertThat(la.implementation()).isNotBlank();
            if (la.name().equals("netlib")) {
                assertThat(la.implementation()).contains("native");
            }
        }
        assertThat(LinearAlgebraProviders.availableNative()).extracting(LinearAlgebra::name).contains("jblas");
    }
}

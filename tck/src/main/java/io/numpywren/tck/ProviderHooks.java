package io.numpywren.tck;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Optional;

/**
 * Calls a {@link TckProvider}'s suite and test hooks around the suites {@link ProviderTck} nests:
 * it finds the provider among the enclosing test instances, and the suite by its type.
 */
final class ProviderHooks implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Optional<Target> target = target(context);
        if (target.isPresent()) {
            target.get().provider().beforeSuite(target.get().suite());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        Optional<Target> target = target(context);
        if (target.isPresent()) {
            target.get().provider().afterSuite(target.get().suite());
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        Optional<Target> target = target(context);
        if (target.isPresent()) {
            target.get().provider().beforeTest(target.get().suite(), context.getRequiredTestMethod().getName());
        }
    }

    private record Target(TckProvider provider, TckSuite suite) {
    }

    /** The provider and the suite of this context; empty for the provider's own class. */
    private static Optional<Target> target(ExtensionContext context) {
        List<Object> instances = context.getTestInstances().map(i -> i.getAllInstances()).orElse(List.of());
        TckProvider provider = null;
        TckSuite suite = null;
        for (Object instance : instances) {
            if (instance instanceof TckProvider p) {
                provider = p;
            }
            TckSuite s = TckSuite.of(instance);
            if (s != null) {
                suite = s;
            }
        }
        return provider == null || suite == null ? Optional.empty() : Optional.of(new Target(provider, suite));
    }
}

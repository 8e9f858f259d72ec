package io.numpywren.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Finds backend providers on the class path by name. */
public final class Backends {
    private Backends() {
    }

    public static List<String> available() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
        }
        return names;
    }

    /** Creates the backend named {@code name}; an unknown name lists the ones available. */
    public static ComputeBackend create(String name, BackendContext context) {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equals(name)) {
                return p.create(context);
            }
        }
        throw new IllegalArgumentException("no backend named '" + name + "' on the class path (available: "
                + String.join(", ", available()) + ")");
    }
}

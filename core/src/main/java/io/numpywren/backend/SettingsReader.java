package io.numpywren.backend;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one configuration section's flattened settings (a backend's, say), collecting every
 * problem instead of stopping at the first, so that one error names every setting at fault.
 */
public final class SettingsReader {
    private final String section;
    private final Map<String, String> settings;
    private final List<String> problems = new ArrayList<>();

    /** @param section how errors name the section, such as {@code numpywren.backends.gcp} */
    public SettingsReader(String section, Map<String, String> settings) {
        this.section = section;
        this.settings = settings;
    }

    /** The setting, trimmed; "" when unset. */
    public String text(String name) {
        String v = settings.get(name);
        return v == null ? "" : v.trim();
    }

    /** The setting, trimmed, or {@code dflt} when unset or empty. */
    public String text(String name, String dflt) {
        String v = text(name);
        return v.isEmpty() ? dflt : v;
    }

    /** An absolute URL, or null when unset; anything else is a problem. */
    public URI url(String name) {
        String v = text(name);
        if (v.isEmpty()) {
            return null;
        }
        try {
            URI u = URI.create(v);
            if (u.getScheme() == null || u.getHost() == null) {
                problem(name + " '" + v + "' is not an absolute URL such as https://host:port");
                return null;
            }
            return u;
        } catch (IllegalArgumentException e) {
            problem(name + " '" + v + "' is not a URL");
            return null;
        }
    }

    /** An integer in [min, max], or {@code dflt} when unset; anything else is a problem. */
    public int integer(String name, int dflt, int min, int max) {
        String v = text(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                problem(name + " must lie in [" + min + ", " + max + "], got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            problem(name + " must be an integer, got '" + v + "'");
            return dflt;
        }
    }

    /** A price in dollars (finite, not negative), or {@code dflt} when unset; anything else is a problem. */
    public double price(String name, double dflt) {
        String v = text(name);
        if (v.isEmpty()) {
            return dflt;
        }
        try {
            double p = Double.parseDouble(v);
            if (p >= 0 && Double.isFinite(p)) {
                return p;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        problem(name + " must be a price in dollars, got '" + v + "'");
        return dflt;
    }

    /** Records a problem found by the caller. */
    public void problem(String description) {
        problems.add(description);
    }

    /** Whether nothing was wrong so far. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /** Throws an IllegalArgumentException naming the section and every problem, if there was one. */
    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(section + ": " + String.join("; ", problems));
        }
    }
}

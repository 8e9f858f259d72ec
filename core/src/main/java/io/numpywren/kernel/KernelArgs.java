package io.numpywren.kernel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Scalar arguments of a kernel call, by name: booleans (also given as 0/1), integers and
 * doubles. Immutable.
 */
public final class KernelArgs {
    public static final KernelArgs NONE = new KernelArgs(Map.of());

    private final Map<String, Object> values;

    private KernelArgs(Map<String, Object> values) {
        this.values = values;
    }

    /** Pairs of name and value: {@code of("transA", true, "alpha", 2.0)}. */
    public static KernelArgs of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("kernel arguments come in name/value pairs");
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (!(namesAndValues[i] instanceof String name)) {
                throw new IllegalArgumentException("argument name at position " + i + " is not a string");
            }
            map.put(name, checkValue(name, namesAndValues[i + 1]));
        }
        return new KernelArgs(Collections.unmodifiableMap(map));
    }

    public static KernelArgs of(Map<String, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(k, checkValue(k, v)));
        return new KernelArgs(Collections.unmodifiableMap(copy));
    }

    private static Object checkValue(String name, Object value) {
        if (value instanceof Boolean || value instanceof Integer || value instanceof Long || value instanceof Double) {
            return value;
        }
        throw new IllegalArgumentException("argument '" + name + "' must be a boolean, integer or double, got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean getBoolean(String kernel, String name, boolean defaultValue) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if ((v instanceof Integer || v instanceof Long) && (((Number) v).longValue() == 0 || ((Number) v).longValue() == 1)) {
            return ((Number) v).longValue() == 1;
        }
        throw new KernelException(kernel, "argument '" + name + "' must be a boolean (or 0/1), got " + v);
    }

    public double getDouble(String kernel, String name, double defaultValue) {
        Object v = values.get(name);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new KernelException(kernel, "argument '" + name + "' must be a number, got " + v);
    }

    public int getInt(String kernel, String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new KernelException(kernel, "argument '" + name + "' is required");
        }
        if (v instanceof Integer || v instanceof Long) {
            return Math.toIntExact(((Number) v).longValue());
        }
        throw new KernelException(kernel, "argument '" + name + "' must be an integer, got " + v);
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

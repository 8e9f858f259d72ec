package io.numpywren.backend;

import io.numpywren.storage.BlockStore;

import java.util.Map;

/**
 * What a backend is created with: the block store the job uses (the local backend's workers
 * share it; a cloud backend's workers open their own from the settings) and the backend's own
 * settings (the {@code numpywren.backends.<name>} section of the configuration, flattened).
 */
public record BackendContext(BlockStore store, Map<String, String> settings) {
    public BackendContext {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public String setting(String name, String defaultValue) {
        return settings.getOrDefault(name, defaultValue);
    }

    public int intSetting(String name, int defaultValue) {
        String v = settings.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("backend setting '" + name + "' must be an integer, got '" + v + "'");
        }
    }
}

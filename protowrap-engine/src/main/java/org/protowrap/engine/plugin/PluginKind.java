package org.protowrap.engine.plugin;

/** The two kinds of provider the engine loads. */
public enum PluginKind {
    VALIDATOR("validator", "protocol"),
    BALANCER("balancer", "balancer");

    private final String word;
    private final String configKey;

    PluginKind(String word, String configKey) {
        this.word = word;
        this.configKey = configKey;
    }

    /** {@code validator} or {@code balancer}, as printed by {@code protowrap plugins}. */
    public String word() {
        return word;
    }

    /** The wrapper key that selects a provider of this kind. */
    public String configKey() {
        return configKey;
    }
}

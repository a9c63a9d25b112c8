package org.protowrap.engine.plugin;

/**
 * A plugin jar, or a provider in one, that could not be used.
 *
 * @param location the jar (or module) concerned
 * @param message what went wrong and what to do
 * @param fatal true when startup must fail whatever the configuration selects (two providers
 *     with one name); false when only a configuration that selects it fails
 */
public record PluginProblem(String location, String message, boolean fatal) {
    @Override
    public String toString() {
        return location + ": " + message;
    }
}

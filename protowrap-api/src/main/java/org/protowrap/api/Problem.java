package org.protowrap.api;

/**
 * One configuration problem, located so that a person can fix it.
 *
 * @param location {@code file:line:column}, or empty when the value did not come from a file
 * @param key the key path, e.g. {@code wrappers[0].options.starttls}
 * @param message what is wrong and, where there is a choice, the valid choices
 */
public record Problem(String location, String key, String message) {
    @Override
    public String toString() {
        return (location.isEmpty() ? "" : location + ": ") + key + ": " + message;
    }
}

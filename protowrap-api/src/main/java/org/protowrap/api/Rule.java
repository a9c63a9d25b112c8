package org.protowrap.api;

import java.util.Objects;

/**
 * A named check. Names are stable, lower case, dotted by area ({@code smtp.data.bare-lf},
 * {@code http.te.obfuscated}); they appear in logs and in the wrapper's {@code rules:} map,
 * where an operator sets each to {@code enforce}, {@code log} or {@code off}.
 *
 * @param name the stable name
 * @param defaultMode the mode when the configuration says nothing: strict by default
 * @param description one line for documentation and {@code protowrap plugins}
 */
public record Rule(String name, RuleMode defaultMode, String description) {
    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultMode, "defaultMode");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("rule name must be lower-case words joined by '.' or '-': " + name);
        }
    }
}

package org.protowrap.api;

import java.util.Objects;

/**
 * A named check. Names are stable, lower case, dotted by area ({@code smtp.data.bare-lf},
 * {@code http.te.obfuscated}); they appear in logs and in the wrapper's {@code rules:} map,
 * where an operator sets each to {@code enforce}, {@code log} or {@code off}.
 *
 * <p>An <em>enforce-only</em> rule ({@link #enforceOnly(String, String)}) guards something no
 * setting may give up, such as where a message ends: the engine refuses a configuration that
 * sets it to {@code log} or {@code off}, naming the file, line and column, so the validator never
 * has to handle those modes for it.
 *
 * @param name the stable name
 * @param defaultMode the mode when the configuration says nothing: strict by default
 * @param description one line for documentation and {@code protowrap plugins}
 * @param enforceOnly whether {@code enforce} is the only mode the rule accepts; its
 *     {@code defaultMode} is then {@link RuleMode#ENFORCE}
 */
public record Rule(String name, RuleMode defaultMode, String description, boolean enforceOnly) {
    public Rule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultMode, "defaultMode");
        Objects.requireNonNull(description, "description");
        if (!name.matches("[a-z0-9]+([.-][a-z0-9]+)*")) {
            throw new IllegalArgumentException("rule name must be lower-case words joined by '.' or '-': " + name);
        }
        if (enforceOnly && defaultMode != RuleMode.ENFORCE) {
            throw new IllegalArgumentException("an enforce-only rule has the default mode enforce: " + name);
        }
    }

    /** A rule that accepts all three modes. */
    public Rule(String name, RuleMode defaultMode, String description) {
        this(name, defaultMode, description, false);
    }

    /** A rule that accepts only {@code enforce}, its default. */
    public static Rule enforceOnly(String name, String description) {
        return new Rule(name, RuleMode.ENFORCE, description, true);
    }

    /** Whether a wrapper may set this rule to {@code mode}. */
    public boolean accepts(RuleMode mode) {
        return !enforceOnly || mode == RuleMode.ENFORCE;
    }
}

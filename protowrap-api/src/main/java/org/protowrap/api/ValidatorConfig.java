package org.protowrap.api;

import java.util.Map;
import java.util.Objects;

/**
 * The part of a wrapper's configuration a validator is built from.
 *
 * @param wrapper the wrapper's name, for messages
 * @param maxLineLength the wrapper's {@code maxLineLength}: the base rule every line protocol
 *     inherits; a protocol with its own, stricter limits may apply those instead
 * @param testReply whether the engine passes server replies through
 *     {@link ValidatorSession#onServerData}
 * @param ruleModes the wrapper's {@code rules:} overrides, already checked against the
 *     provider's {@link org.protowrap.spi.ValidatorProvider#rules()}
 * @param options the wrapper's {@code options:} section
 * @param clientTls how the wrapper speaks TLS with clients: with {@link ClientTls#STARTTLS} the
 *     validator answers the protocol's command and calls {@link Decisions#startTls}
 */
public record ValidatorConfig(String wrapper, int maxLineLength, boolean testReply, Map<String, RuleMode> ruleModes,
        Options options, ClientTls clientTls) {

    public ValidatorConfig {
        Objects.requireNonNull(wrapper, "wrapper");
        ruleModes = Map.copyOf(ruleModes);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(clientTls, "clientTls");
    }

    /** A configuration without TLS towards clients. */
    public ValidatorConfig(String wrapper, int maxLineLength, boolean testReply, Map<String, RuleMode> ruleModes,
            Options options) {
        this(wrapper, maxLineLength, testReply, ruleModes, options, ClientTls.NONE);
    }

    /**
     * The mode the wrapper sets for this rule, or the rule's default; always
     * {@link RuleMode#ENFORCE} for an {@linkplain Rule#enforceOnly() enforce-only} rule.
     */
    public RuleMode mode(Rule rule) {
        return rule.enforceOnly() ? RuleMode.ENFORCE : ruleModes.getOrDefault(rule.name(), rule.defaultMode());
    }

    /** A configuration with defaults and the given options, for tests and embedding. */
    public static ValidatorConfig of(String wrapper, int maxLineLength, boolean testReply, Options options) {
        return new ValidatorConfig(wrapper, maxLineLength, testReply, Map.of(), options);
    }
}

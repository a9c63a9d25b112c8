package org.protowrap.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The part of a wrapper's configuration a validator is built from.
 *
 * @param wrapper the wrapper's name, for messages
 * @param maxLineLength the wrapper's {@code maxLineLength}: the longest client line, line end
 *     included; {@value #DEFAULT_MAX_LINE_LENGTH} when the wrapper does not set it
 * @param testReply whether the engine passes server replies through
 *     {@link ValidatorSession#onServerData}
 * @param ruleModes the wrapper's {@code rules:} overrides, already checked against the
 *     provider's {@link org.protowrap.spi.ValidatorProvider#rules()}
 * @param options the wrapper's {@code options:} section
 * @param clientTls how the wrapper speaks TLS with clients: with {@link ClientTls#STARTTLS} the
 *     validator answers the protocol's command and calls {@link Decisions#startTls}
 * @param maxLineLengthSet whether the wrapper sets {@code maxLineLength}. A validator whose protocol
 *     has lines applies {@code maxLineLength} to them; one whose protocol has its own line limits
 *     (as SMTP's 512 octets for a command line) keeps those unless the wrapper sets it: see
 *     {@link #lineLimit}. A value the protocol cannot work with is reported as a problem with the
 *     key {@code maxLineLength}, which the engine locates at the wrapper's key.
 */
public record ValidatorConfig(String wrapper, int maxLineLength, boolean testReply, Map<String, RuleMode> ruleModes,
        Options options, ClientTls clientTls, boolean maxLineLengthSet) {

    /** The line length a wrapper that does not set {@code maxLineLength} has. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 512;

    public ValidatorConfig {
        Objects.requireNonNull(wrapper, "wrapper");
        ruleModes = Map.copyOf(ruleModes);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(clientTls, "clientTls");
    }

    /**
     * A configuration as from a wrapper that does not set {@code maxLineLength}: {@code maxLineLength}
     * then applies only where the protocol has no line limit of its own.
     */
    public ValidatorConfig(String wrapper, int maxLineLength, boolean testReply, Map<String, RuleMode> ruleModes,
            Options options, ClientTls clientTls) {
        this(wrapper, maxLineLength, testReply, ruleModes, options, clientTls, false);
    }

    /** A configuration without TLS towards clients. */
    public ValidatorConfig(String wrapper, int maxLineLength, boolean testReply, Map<String, RuleMode> ruleModes,
            Options options) {
        this(wrapper, maxLineLength, testReply, ruleModes, options, ClientTls.NONE);
    }

    /**
     * The longest line the wrapper allows where the protocol's own default is
     * {@code protocolDefault}: {@code maxLineLength} if the wrapper sets it, otherwise that default.
     */
    public int lineLimit(int protocolDefault) {
        return maxLineLengthSet ? maxLineLength : protocolDefault;
    }

    /**
     * Refuses a {@code maxLineLength} the protocol cannot work with: one the wrapper sets below
     * {@code minimum}. Call it once every option is read, so that their problems are listed too.
     *
     * @param protocolLines what the limit applies to, for the message: {@code SMTP command lines}
     * @param why what requires {@code minimum}, for the message: {@code RFC 5321 section 4.5.3.1.4}
     * @throws OptionsException naming the key {@code maxLineLength}
     */
    public void requireMaxLineLength(int minimum, String protocolLines, String why) {
        if (maxLineLengthSet && maxLineLength < minimum) {
            throw new OptionsException(List.of(new Problem("", "maxLineLength", maxLineLength + " is below "
                    + minimum + ", the least " + protocolLines + " may be (" + why + ")")));
        }
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

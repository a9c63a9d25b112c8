package org.protowrap.validator.smtp;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.protowrap.api.ClientTls;
import org.protowrap.api.Options;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorConfig;

/**
 * The settings every session of one wrapper shares: the {@code options:} section, read and
 * checked once, and the mode of every rule.
 *
 * @param maxCommandLineLength longest command line, CRLF included (RFC 5321: 512)
 * @param maxTextLineLength longest mail text line, CRLF included (RFC 5321: 1000)
 * @param normalize whether bare CR and LF in mail data become CRLF instead of ending the session
 * @param starttls what happens to STARTTLS
 * @param maxRecipients recipients per transaction; 0 means no limit
 * @param maxMessageSize octets per message; 0 means no limit
 * @param allowedRecipientDomains domains (or {@code .suffixes}) recipients must be in; empty means any
 * @param relayAfterAuth whether a client that authenticated may send to any domain
 * @param senderDenyPatterns refused senders (found anywhere in the address, case-insensitive)
 * @param recipientDenyPatterns refused recipients
 * @param maxErrors refused commands and server errors after which the session ends
 * @param maxUnknownCommands unknown verbs after which the session ends
 * @param healthEhloName the name the health probe gives in EHLO
 */
record SmtpSettings(
        int maxCommandLineLength,
        int maxTextLineLength,
        boolean normalize,
        StartTls starttls,
        int maxRecipients,
        long maxMessageSize,
        List<String> allowedRecipientDomains,
        boolean relayAfterAuth,
        List<Pattern> senderDenyPatterns,
        List<Pattern> recipientDenyPatterns,
        int maxErrors,
        int maxUnknownCommands,
        String healthEhloName,
        Map<SmtpRule, RuleMode> modes) {

    /** What the wrapper does with STARTTLS. */
    enum StartTls {
        /** Hide it from EHLO replies and refuse the command, so the whole session stays inspectable. */
        DENY,
        /** Let the server start TLS; from its {@code 220} on, relay raw and inspect nothing more. */
        PASSTHROUGH,
        /**
         * Answer STARTTLS here and go on validating inside TLS: the wrapper's {@code tls:} section
         * with {@code mode: starttls}, and only then.
         */
        TERMINATE
    }

    /** The command line every server must accept, CRLF included (RFC 5321 section 4.5.3.1.4): default and least. */
    static final int MIN_COMMAND_LINE_LENGTH = 512;

    /** Longest AUTH command or exchange line, CRLF included (RFC 4954 section 4). */
    static final int MAX_AUTH_LINE_LENGTH = 12288;

    /** Reads and checks every option; problems are recorded in {@code config.options()}. */
    static SmtpSettings read(ValidatorConfig config) {
        Options o = config.options();
        if (!config.testReply()) {
            o.problem("testReply", "the smtp validator needs the wrapper's testReply: true,"
                    + " because the server's replies decide the session state");
        }
        Map<SmtpRule, RuleMode> modes = new EnumMap<>(SmtpRule.class);
        for (SmtpRule rule : SmtpRule.values()) {
            modes.put(rule, config.mode(rule.rule()));
        }
        return new SmtpSettings(
                o.integer("maxCommandLineLength", config.lineLimit(MIN_COMMAND_LINE_LENGTH), MIN_COMMAND_LINE_LENGTH,
                        65536),
                o.integer("maxTextLineLength", 1000, 1000, 1 << 20),
                o.bool("normalize", false),
                startTls(o, config.clientTls()),
                o.integer("maxRecipients", 0, 0, 1_000_000),
                o.byteSize("maxMessageSize", 0, 0, 1L << 40),
                domains(o, "allowedRecipientDomains"),
                o.bool("relayAfterAuth", true),
                patterns(o, "senderDenyPatterns"),
                patterns(o, "recipientDenyPatterns"),
                o.integer("maxErrors", 20, 1, 10_000),
                o.integer("maxUnknownCommands", 3, 1, 10_000),
                healthName(o),
                Map.copyOf(modes));
    }

    RuleMode mode(SmtpRule rule) {
        return modes.get(rule);
    }

    /**
     * {@code terminate} with the wrapper's {@code tls: {mode: starttls}} (its default then),
     * {@code deny} without; the others contradict the tls section.
     */
    private static StartTls startTls(Options o, ClientTls clientTls) {
        boolean terminating = clientTls == ClientTls.STARTTLS;
        StartTls chosen = o.choice("starttls", StartTls.class, terminating ? StartTls.TERMINATE : StartTls.DENY);
        if (terminating && chosen != StartTls.TERMINATE) {
            o.problem("starttls", Options.configWord(chosen) + " contradicts the wrapper's tls mode starttls, which answers"
                    + " STARTTLS here and validates inside TLS; leave the option out");
            return StartTls.TERMINATE;
        }
        if (!terminating && chosen == StartTls.TERMINATE) {
            o.problem("starttls", "terminate needs the wrapper's tls: {certificate, key, mode: starttls}");
            return StartTls.DENY;
        }
        return chosen;
    }

    private static List<String> domains(Options o, String key) {
        List<String> out = new ArrayList<>();
        for (String entry : o.strings(key)) {
            String domain = entry.startsWith(".") ? entry.substring(1) : entry;
            if (!MailboxGrammar.isDomain(domain)) {
                o.problem(key, "\"" + entry + "\" is not a domain name (a leading '.' allows its subdomains)");
            } else {
                out.add(entry.toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(out);
    }

    private static List<Pattern> patterns(Options o, String key) {
        List<Pattern> out = new ArrayList<>();
        for (String regex : o.strings(key)) {
            try {
                out.add(Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
            } catch (PatternSyntaxException e) {
                o.problem(key, "\"" + regex + "\" is not a regular expression: " + e.getDescription()
                        + " near index " + e.getIndex());
            }
        }
        return List.copyOf(out);
    }

    private static String healthName(Options o) {
        String name = o.string("healthEhloName", "protowrap.health");
        if (!MailboxGrammar.isDomain(name)) {
            o.problem("healthEhloName", "\"" + name + "\" is not a domain name");
            return "protowrap.health";
        }
        return name;
    }
}

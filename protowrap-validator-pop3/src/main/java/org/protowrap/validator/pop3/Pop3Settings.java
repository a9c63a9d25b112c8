package org.protowrap.validator.pop3;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.protowrap.api.ClientTls;
import org.protowrap.api.Options;
import org.protowrap.api.RuleMode;
import org.protowrap.api.ValidatorConfig;

/**
 * The settings every session of one wrapper shares: the {@code options:} section, read and
 * checked once, and the mode of every rule.
 *
 * @param maxCommandLineLength longest command line, CRLF included (RFC 2449: 255)
 * @param maxAuthLineLength longest SASL response line, CRLF included
 * @param maxResponseLineLength longest status line from the server, CRLF included (RFC 2449: 512)
 * @param stls what happens to STLS when the wrapper does not terminate it
 * @param startTls whether the wrapper answers STLS and terminates TLS itself (its {@code tls:}
 *     section has {@code mode: starttls}); {@code stls} then does not apply
 * @param requireTls whether logins (USER, PASS, APOP, AUTH) must wait until the wrapper has started TLS
 * @param maxFailedLogins failed logins after which the session ends; 0 means no limit
 * @param allowedCommands the commands a client may use
 */
record Pop3Settings(
        int maxCommandLineLength,
        int maxAuthLineLength,
        int maxResponseLineLength,
        Stls stls,
        boolean startTls,
        boolean requireTls,
        int maxFailedLogins,
        Set<Verb> allowedCommands,
        Map<Pop3Rule, RuleMode> modes) {

    /**
     * What the wrapper does with STLS (RFC 2595) when it does not terminate TLS itself. Terminating
     * is not a choice here: it needs a certificate, so the wrapper's {@code tls: {mode: starttls}}
     * says it, and the validator learns it from {@link ClientTls#STARTTLS}.
     */
    enum Stls {
        /** Hide it from CAPA and refuse the command, so the whole session stays inspectable. */
        DENY,
        /** Let the server start TLS; from its {@code +OK} on, relay raw and inspect nothing more. */
        PASSTHROUGH
    }

    /** The command line every server must accept, CRLF included (RFC 2449 section 4): the default and the least. */
    static final int MIN_COMMAND_LINE_LENGTH = 255;

    /** Reads and checks every option; problems are recorded in {@code config.options()}. */
    static Pop3Settings read(ValidatorConfig config) {
        Options o = config.options();
        if (!config.testReply()) {
            o.problem("testReply", "the pop3 validator needs the wrapper's testReply: true,"
                    + " because the server's responses decide the session state and where each response ends");
        }
        Map<Pop3Rule, RuleMode> modes = new EnumMap<>(Pop3Rule.class);
        for (Pop3Rule rule : Pop3Rule.values()) {
            modes.put(rule, config.mode(rule.rule()));
        }
        return new Pop3Settings(
                o.integer("maxCommandLineLength", config.lineLimit(MIN_COMMAND_LINE_LENGTH), MIN_COMMAND_LINE_LENGTH,
                        8192),
                o.integer("maxAuthLineLength", 12288, 255, 65536),
                o.integer("maxResponseLineLength", 512, 512, 8192),
                stls(o, config.clientTls()),
                config.clientTls() == ClientTls.STARTTLS,
                requireTls(o, config.clientTls()),
                o.integer("maxFailedLogins", 3, 0, 10_000),
                commands(o),
                Map.copyOf(modes));
    }

    RuleMode mode(Pop3Rule rule) {
        return modes.get(rule);
    }

    private static Stls stls(Options o, ClientTls clientTls) {
        if (o.has("stls") && "terminate".equals(o.string("stls", ""))) {
            o.problem("stls", "terminate is set by the wrapper's tls: {certificate, key, mode: starttls},"
                    + " not here: remove stls (valid here: deny, passthrough)");
            return Stls.DENY;
        }
        Stls stls = o.choice("stls", Stls.class, Stls.DENY);
        if (stls == Stls.PASSTHROUGH && clientTls == ClientTls.STARTTLS) {
            o.problem("stls", "passthrough contradicts the wrapper's tls mode starttls, under which the wrapper"
                    + " answers STLS and terminates TLS itself: remove stls, or the tls section to let the server"
                    + " do TLS");
        }
        return stls;
    }

    private static boolean requireTls(Options o, ClientTls clientTls) {
        boolean require = o.bool("requireTls", false);
        if (require && clientTls != ClientTls.STARTTLS) {
            o.problem("requireTls", "needs the wrapper's tls: {certificate, key, mode: starttls}, under which the"
                    + " wrapper answers STLS; without it no login could ever succeed, and with mode implicit"
                    + " every session is in TLS already");
        }
        return require;
    }

    private static Set<Verb> commands(Options o) {
        List<String> words = o.strings("allowedCommands");
        if (!o.has("allowedCommands")) {
            return EnumSet.allOf(Verb.class);
        }
        Set<Verb> allowed = EnumSet.noneOf(Verb.class);
        for (String word : words) {
            Optional<Verb> verb = Verb.of(word);
            if (verb.isEmpty()) {
                o.problem("allowedCommands", "\"" + word + "\" is not a POP3 command; valid: "
                        + EnumSet.allOf(Verb.class));
            } else {
                allowed.add(verb.get());
            }
        }
        // QUIT ends every session properly: a client may always say it.
        allowed.add(Verb.QUIT);
        return Set.copyOf(allowed);
    }
}

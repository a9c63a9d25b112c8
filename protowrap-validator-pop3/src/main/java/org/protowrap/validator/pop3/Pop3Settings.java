package org.protowrap.validator.pop3;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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
 * @param stls what happens to STLS
 * @param maxFailedLogins failed logins after which the session ends; 0 means no limit
 * @param allowedCommands the commands a client may use
 */
record Pop3Settings(
        int maxCommandLineLength,
        int maxAuthLineLength,
        int maxResponseLineLength,
        Stls stls,
        int maxFailedLogins,
        Set<Verb> allowedCommands,
        Map<Pop3Rule, RuleMode> modes) {

    /** What the wrapper does with STLS (RFC 2595). */
    enum Stls {
        /** Hide it from CAPA and refuse the command, so the whole session stays inspectable. */
        DENY,
        /** Let the server start TLS; from its {@code +OK} on, relay raw and inspect nothing more. */
        PASSTHROUGH,
        /** Answer STLS in the wrapper and terminate TLS there: not available yet, refused when options are read. */
        TERMINATE
    }

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
                o.integer("maxCommandLineLength", 255, 255, 8192),
                o.integer("maxAuthLineLength", 12288, 255, 65536),
                o.integer("maxResponseLineLength", 512, 512, 8192),
                stls(o),
                o.integer("maxFailedLogins", 3, 0, 10_000),
                commands(o),
                Map.copyOf(modes));
    }

    RuleMode mode(Pop3Rule rule) {
        return modes.get(rule);
    }

    private static Stls stls(Options o) {
        Stls stls = o.choice("stls", Stls.class, Stls.DENY);
        if (stls == Stls.TERMINATE) {
            o.problem("stls", "terminate is not available yet: the pop3 validator cannot answer STLS itself;"
                    + " use deny (the default) or passthrough, or the wrapper's tls: with mode implicit for POP3S");
            return Stls.DENY;
        }
        return stls;
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

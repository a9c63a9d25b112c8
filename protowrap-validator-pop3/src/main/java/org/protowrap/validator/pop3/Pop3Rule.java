package org.protowrap.validator.pop3;

import java.util.Arrays;
import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;

/**
 * Every check the {@code pop3} validator makes, by stable name. All are enforced by default, so
 * that a wrapper's {@code rules:} map can relax each one alone.
 */
enum Pop3Rule {
    COMMAND_TOO_LONG("pop3.command.too-long", "a command line is longer than maxCommandLineLength, CRLF included"),
    COMMAND_BARE_LF("pop3.command.bare-lf", "a command line ends in LF without CR"),
    COMMAND_BARE_CR("pop3.command.bare-cr", "a command line holds a CR not followed by LF"),
    COMMAND_UNKNOWN("pop3.command.unknown",
            "the keyword is not a POP3 command the wrapper can frame the response of"),
    COMMAND_SYNTAX("pop3.command.syntax", "the command's arguments do not follow RFC 1939, 2449, 2595 or 5034"),
    COMMAND_SEQUENCE("pop3.command.sequence",
            "the command is not valid in the session's state (AUTHORIZATION or TRANSACTION)"),
    COMMAND_DENIED("pop3.command.denied", "the command is not in the allowedCommands option"),
    PIPELINING_FLOOD("pop3.pipelining.flood",
            "the client sent more than the wrapper holds while it had to wait for a response"),
    STLS_DENIED("pop3.stls.denied", "STLS is refused and hidden from the CAPA response (option stls: deny)"),
    TLS_REQUIRED("pop3.tls.required",
            "USER, PASS, APOP or AUTH before STLS while the option requireTls is set"),
    STLS_INJECTION("pop3.stls.injection", "the client sent plaintext after STLS before the server's response"),
    AUTH_RESPONSE("pop3.auth.response", "a SASL response line is not base64 or '*', or is too long"),
    LOGIN_FAILURES("pop3.login.failures", "maxFailedLogins failed logins on one connection: the session ends"),
    RESPONSE_MALFORMED("pop3.response.malformed",
            "the server sent something that is not a POP3 response, or a multi-line response that cannot be framed"),
    RESPONSE_TOO_LONG("pop3.response.too-long",
            "a status line longer than maxResponseLineLength, CRLF included (RFC 2449: 512)");

    private final Rule rule;

    Pop3Rule(String name, String description) {
        this.rule = new Rule(name, RuleMode.ENFORCE, description);
    }

    Rule rule() {
        return rule;
    }

    static List<Rule> all() {
        return Arrays.stream(values()).map(Pop3Rule::rule).toList();
    }
}

package org.protowrap.validator.smtp;

import java.util.Arrays;
import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;

/**
 * Every check the {@code smtp} validator makes, by stable name. All are enforced by default;
 * each relaxation an operator may want has its own name, so that a wrapper's {@code rules:} map
 * can set it to {@code log} or {@code off} alone.
 */
enum SmtpRule {
    PREGREET("smtp.pregreet", "the client sent bytes before the server's greeting"),
    PIPELINING_UNADVERTISED("smtp.pipelining.unadvertised",
            "the client sent a command before the previous reply although PIPELINING was not advertised"),
    PIPELINING_SYNC_POINT("smtp.pipelining.sync-point",
            "the client sent more after a command that must end a pipelined group (RFC 2920)"),
    COMMAND_TOO_LONG("smtp.command.too-long", "a command line is longer than maxCommandLineLength, CRLF included"),
    COMMAND_BARE_LF("smtp.command.bare-lf", "a command line ends in LF without CR"),
    COMMAND_BARE_CR("smtp.command.bare-cr", "a command line holds a CR not followed by LF"),
    COMMAND_UNKNOWN("smtp.command.unknown", "the verb is not an SMTP command the wrapper knows"),
    COMMAND_SYNTAX("smtp.command.syntax", "the command's arguments do not follow RFC 5321 or the extension's grammar"),
    HELO_SYNTAX("smtp.helo.syntax", "the HELO or EHLO argument is not a domain name (or, for EHLO, an address literal)"),
    COMMAND_SEQUENCE("smtp.command.sequence", "the command is not allowed in the session's current state"),
    JUNK_LIMIT("smtp.command.junk-limit", "too many unknown commands: the session ends"),
    ERROR_LIMIT("smtp.errors.limit", "too many errors: the session ends"),
    PATH_SPACE_AFTER_COLON("smtp.path.space-after-colon", "a space between MAIL FROM: or RCPT TO: and the path"),
    UTF8_UNDECLARED("smtp.utf8.undeclared",
            "a non-ASCII address in a transaction whose MAIL did not carry SMTPUTF8 (RFC 6531 section 3.4)"),
    PARAM_UNKNOWN("smtp.param.unknown", "a MAIL or RCPT parameter that no supported extension defines"),
    EXTENSION_UNADVERTISED("smtp.extension.unadvertised",
            "a command or parameter of an extension the server did not advertise"),
    STARTTLS_DENIED("smtp.starttls.denied", "STARTTLS is refused and hidden from the EHLO reply (option starttls: deny)"),
    STARTTLS_INJECTION("smtp.starttls.injection", "the client sent plaintext after STARTTLS before the server's reply"),
    AUTH_RESPONSE("smtp.auth.response", "an AUTH exchange line is not base64 or '*'"),
    DATA_BARE_LF("smtp.data.bare-lf", "mail data holds an LF not preceded by CR (SMTP smuggling)"),
    DATA_BARE_CR("smtp.data.bare-cr", "mail data holds a CR not followed by LF (SMTP smuggling)"),
    DATA_NUL("smtp.data.nul", "mail data holds a NUL octet, which some servers drop (SMTP smuggling)"),
    DATA_LINE_TOO_LONG("smtp.data.line-too-long", "a mail text line is longer than maxTextLineLength, CRLF included"),
    MESSAGE_TOO_BIG("smtp.message.too-big", "the message is larger than maxMessageSize (SIZE= or counted)"),
    RCPT_TOO_MANY("smtp.rcpt.too-many", "more recipients in one transaction than maxRecipients"),
    RCPT_RELAY_DENIED("smtp.rcpt.relay-denied", "a recipient outside allowedRecipientDomains (open relay)"),
    RCPT_DENIED("smtp.rcpt.denied", "a recipient matches recipientDenyPatterns"),
    SENDER_DENIED("smtp.sender.denied", "the sender matches senderDenyPatterns"),
    VRFY("smtp.vrfy", "VRFY is answered 252 by the wrapper, the server is not asked (address harvesting)"),
    EXPN("smtp.expn", "EXPN is answered 252 by the wrapper, the server is not asked (address harvesting)"),
    REPLY_MALFORMED("smtp.reply.malformed", "the server sent something that is not an SMTP reply");

    private final Rule rule;

    SmtpRule(String name, String description) {
        this.rule = new Rule(name, RuleMode.ENFORCE, description);
    }

    Rule rule() {
        return rule;
    }

    static List<Rule> all() {
        return Arrays.stream(values()).map(SmtpRule::rule).toList();
    }
}

package org.protowrap.validator.smtp;

import java.nio.charset.StandardCharsets;
import org.protowrap.api.Refusal;

/**
 * Every reply the wrapper itself sends an SMTP client, in one place: a basic code, an enhanced
 * status code (RFC 3463) and a short text. The server's own replies never come from here.
 */
final class Replies {

    // ---------------------------------------------------------------- command lines
    static final String LINE_TOO_LONG = "500 5.5.2 Line too long";
    static final String COMMAND_BARE_CR = "500 5.5.2 Syntax error, bare CR in a command line";
    static final String COMMAND_BARE_LF = "500 5.5.2 Syntax error, command lines end in CRLF";
    static final String COMMAND_UNRECOGNIZED = "500 5.5.2 Syntax error, command unrecognized";
    static final String SYNTAX = "501 5.5.4 Syntax error in parameters or arguments";
    static final String SPACE_AFTER_COLON = "501 5.5.4 Syntax error: no space allowed after the colon";
    static final String PARAMETER_UNKNOWN = "555 5.5.4 Parameter not recognized";

    // ---------------------------------------------------------------- commands refused by policy
    static final String COMMAND_NOT_IMPLEMENTED = "502 5.5.1 Command not implemented";
    static final String AUTH_MECHANISM_UNKNOWN = "504 5.5.4 Unrecognized authentication type";
    static final String STARTTLS_NOT_AVAILABLE = "502 5.5.1 STARTTLS not available";
    /** 252, not 502: RFC 5321 section 7.3 wants no code that reads as a verdict on the address. */
    static final String VRFY_REFUSED = "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery";
    static final String EXPN_REFUSED = "252 2.0.0 Cannot EXPN list, but will accept message and attempt delivery";
    static final String SENDER_REJECTED = "550 5.7.1 Sender address rejected";
    static final String RECIPIENT_REJECTED = "550 5.7.1 Recipient address rejected";
    static final String RELAY_DENIED = "554 5.7.1 Relay access denied";
    static final String TOO_MANY_RECIPIENTS = "452 4.5.3 Error: too many recipients";
    static final String MESSAGE_TOO_BIG = "552 5.3.4 Message size exceeds fixed maximum message size";

    // ---------------------------------------------------------------- STARTTLS answered by the wrapper
    static final String READY_TO_START_TLS = "220 2.0.0 Ready to start TLS";

    // ---------------------------------------------------------------- the session ends
    static final String TOO_MANY_ERRORS = "421 4.7.0 Too many errors, closing connection";
    static final String TOO_MANY_UNRECOGNIZED = "421 4.7.0 Too many unrecognized commands, closing connection";
    static final String DRAINING = "421 4.3.2 Service shutting down, closing transmission channel";
    static final String INVALID_SERVER_REPLY = "421 4.3.0 Service not available, the server sent an invalid reply";

    private Replies() {}

    /** A command not allowed in the session's state (RFC 5321 section 4.1.4). */
    static String badSequence(String detail) {
        return "503 5.5.1 Error: " + detail;
    }

    /** A MAIL or RCPT parameter of an extension the server did not advertise. */
    static String unsupportedOption(String keyword) {
        return "555 5.5.4 Unsupported option: " + keyword;
    }

    /** RFC 6531 section 3.4; {@code which} is {@code sender} or {@code recipient}. */
    static String utf8Undeclared(String which) {
        return "553 5.6.7 Non-ASCII " + which + " address needs MAIL FROM with SMTPUTF8";
    }

    /** The client broke the exchange itself (pregreet, pipelining, plaintext after STARTTLS). */
    static String protocolError(String detail) {
        return "554 5.5.0 Protocol error: " + detail;
    }

    /** A message refused under a rule of mail data; the server never completes it. */
    static String messageRefused(SmtpRule rule, int maxTextLineLength) {
        return switch (rule) {
            case MESSAGE_TOO_BIG -> MESSAGE_TOO_BIG;
            case DATA_LINE_TOO_LONG -> "554 5.6.0 Message refused: text line longer than " + maxTextLineLength + " octets";
            case DATA_NUL -> "554 5.6.0 Message refused: NUL in message data";
            case DATA_BARE_LF, DATA_BARE_CR ->
                    "554 5.5.2 Message refused: bare CR or LF in message data, lines must end in CRLF";
            default -> "554 5.6.0 Message refused";
        };
    }

    /** RFC 5321 section 3.8: a server that cannot serve answers 421 and closes. */
    static String refusal(Refusal reason) {
        return switch (reason) {
            case NO_BACKEND -> "421 4.3.2 Service not available, closing transmission channel";
            case TOO_MANY_CONNECTIONS -> "421 4.7.0 Too many connections, closing transmission channel";
            case TIMEOUT -> "421 4.4.2 Timeout exceeded, closing transmission channel";
            // 421 rather than 451: the connection is closed after it (RFC 5321 section 3.8)
            case SERVER_TIMEOUT -> "421 4.4.2 No answer from the mail server in time, closing transmission channel";
            case FORBIDDEN -> "554 5.7.1 Access denied";
            case RATE_LIMITED -> "421 4.7.0 Too many connections from your address, try again later";
            case SHUTTING_DOWN -> "421 4.3.2 System shutting down, closing transmission channel";
            // a reason added to the API after this validator was built
            default -> "421 4.3.2 Service not available, closing transmission channel";
        };
    }

    /** A reply as sent: its text and CRLF, in ASCII. */
    static byte[] bytes(String reply) {
        return (reply + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}

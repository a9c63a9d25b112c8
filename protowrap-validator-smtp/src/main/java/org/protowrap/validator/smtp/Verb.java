package org.protowrap.validator.smtp;

import java.util.Locale;
import java.util.Optional;

/**
 * The SMTP commands the wrapper lets through: RFC 5321 and the extensions it understands.
 * Others (TURN, ETRN, XCLIENT, ...) are unknown verbs.
 */
enum Verb {
    HELO, EHLO, MAIL, RCPT, DATA, BDAT, RSET, VRFY, EXPN, HELP, NOOP, QUIT, STARTTLS, AUTH;

    static Optional<Verb> of(String word) {
        if (word.isEmpty() || word.length() > 8 || !word.chars().allMatch(c -> (c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(word.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException unknown) {
            return Optional.empty();
        }
    }

    /** Whether a pipelined group must end with this command (RFC 2920 section 3.1, RFC 3207, RFC 4954). */
    boolean endsPipelinedGroup() {
        return switch (this) {
            case EHLO, HELO, DATA, VRFY, EXPN, NOOP, QUIT, STARTTLS, AUTH -> true;
            default -> false;
        };
    }
}

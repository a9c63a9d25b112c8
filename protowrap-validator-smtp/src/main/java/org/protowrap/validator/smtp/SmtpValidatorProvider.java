package org.protowrap.validator.smtp;

import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.spi.ValidatorProvider;

/**
 * Provides {@code smtp}: a validator for mail servers (RFC 5321 with ESMTP, SIZE, PIPELINING,
 * CHUNKING, STARTTLS, AUTH, 8BITMIME, SMTPUTF8 and DSN). It checks command grammar and session
 * state from both directions, refuses SMTP smuggling (bare CR or LF in mail data), counts BDAT
 * chunks, enforces pipelining synchronisation and the greeting, and applies optional
 * anti-abuse limits.
 *
 * <p>Options (all optional): {@code maxCommandLineLength} (the wrapper's {@code maxLineLength}
 * if set, else 512; at least 512), {@code maxTextLineLength} (1000), {@code normalize} (false:
 * bare CR/LF in data ends the session; true: made CRLF),
 * {@code starttls} ({@code deny} | {@code passthrough}; {@code terminate}, the only choice with the
 * wrapper's {@code tls: {mode: starttls}}), {@code maxRecipients} (0 = no limit),
 * {@code maxMessageSize} (0 = no limit), {@code allowedRecipientDomains}, {@code relayAfterAuth}
 * (true), {@code senderDenyPatterns}, {@code recipientDenyPatterns}, {@code maxErrors} (20),
 * {@code maxUnknownCommands} (3), {@code healthEhloName} ({@code protowrap.health}). It needs
 * the wrapper's {@code testReply: true}.
 *
 * <p>It answers STARTTLS itself and validates inside TLS only when the wrapper terminates TLS
 * ({@code tls: {mode: starttls}}); a session relayed under {@code passthrough} cannot be inspected
 * after STARTTLS (hence {@code deny} by default without TLS). It does not look at message content
 * beyond line framing.
 */
public final class SmtpValidatorProvider implements ValidatorProvider {

    @Override
    public String name() {
        return "smtp";
    }

    @Override
    public String description() {
        return "SMTP (RFC 5321 and ESMTP extensions): command grammar, session state, smuggling, pipelining";
    }

    @Override
    public List<Rule> rules() {
        return SmtpRule.all();
    }

    @Override
    public Validator create(ValidatorConfig config) {
        SmtpSettings settings = SmtpSettings.read(config);
        config.requireMaxLineLength(SmtpSettings.MIN_COMMAND_LINE_LENGTH, "SMTP command lines",
                "RFC 5321 section 4.5.3.1.4");
        return new SmtpValidator(settings);
    }
}

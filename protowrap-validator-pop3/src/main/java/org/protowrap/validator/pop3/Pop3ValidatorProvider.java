package org.protowrap.validator.pop3;

import java.util.List;
import org.protowrap.api.Rule;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.spi.ValidatorProvider;

/**
 * Provides {@code pop3}: a validator for mail access servers (RFC 1939 with CAPA and response
 * codes from RFC 2449, AUTH from RFC 5034, STLS from RFC 2595). It tracks the AUTHORIZATION,
 * TRANSACTION and UPDATE states from both directions, refuses commands out of state before
 * they reach the server, frames every response (multi-line ones with dot-stuffing) so that it
 * always knows where one ends, forwards credentials marked as such, and ends sessions that fail
 * too many logins.
 *
 * <p>Options (all optional): {@code maxCommandLineLength} (the wrapper's {@code maxLineLength} if set, else
 * 255; at least 255), {@code maxAuthLineLength}
 * (12288), {@code maxResponseLineLength} (512), {@code stls} ({@code deny} | {@code
 * passthrough}), {@code requireTls} (false), {@code maxFailedLogins} (3, 0 = no limit),
 * {@code allowedCommands} (all). It needs the wrapper's {@code testReply: true}. With the
 * wrapper's {@code tls: {mode: starttls}} it answers STLS itself and validates the session
 * inside TLS.
 *
 * <p>It cannot inspect a session after STLS it passes through to the server (hence {@code deny}
 * by default), does not look inside messages beyond their framing, and cannot delay a response
 * (sessions have no clock).
 */
public final class Pop3ValidatorProvider implements ValidatorProvider {

    @Override
    public String name() {
        return "pop3";
    }

    @Override
    public String description() {
        return "POP3 (RFC 1939, 2449, 2595, 5034): command grammar, session state, response framing, failed logins";
    }

    @Override
    public List<Rule> rules() {
        return Pop3Rule.all();
    }

    @Override
    public Validator create(ValidatorConfig config) {
        Pop3Settings settings = Pop3Settings.read(config);
        config.requireMaxLineLength(Pop3Settings.MIN_COMMAND_LINE_LENGTH, "POP3 command lines", "RFC 2449 section 4");
        return new Pop3Validator(settings);
    }
}

package org.protowrap.validator.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;

/** The {@code smtp} validator of one wrapper: immutable settings and a factory of sessions. */
final class SmtpValidator implements Validator {

    private final SmtpSettings settings;

    SmtpValidator(SmtpSettings settings) {
        this.settings = settings;
    }

    @Override
    public ValidatorSession newSession(SessionInfo session) {
        return new SmtpSession(settings);
    }

    @Override
    public boolean serverSpeaksFirst() {
        return true;
    }

    /** STARTTLS (RFC 3207), answered here when the wrapper has {@code tls: {mode: starttls}}. */
    @Override
    public boolean startsTls() {
        return true;
    }

    /** RFC 5321 section 3.8: a server that cannot serve answers 421 and closes. */
    @Override
    public Optional<byte[]> refusal(Refusal reason) {
        String reply = switch (reason) {
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
        return Optional.of((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public Optional<HealthProbe> healthProbe() {
        return Optional.of(new SmtpHealthProbe(settings.healthEhloName()));
    }
}

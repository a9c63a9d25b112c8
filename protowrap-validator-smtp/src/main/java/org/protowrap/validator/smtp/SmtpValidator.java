package org.protowrap.validator.smtp;

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
        return Optional.of(Replies.bytes(Replies.refusal(reason)));
    }

    @Override
    public Optional<HealthProbe> healthProbe() {
        return Optional.of(new SmtpHealthProbe(settings.healthEhloName()));
    }
}

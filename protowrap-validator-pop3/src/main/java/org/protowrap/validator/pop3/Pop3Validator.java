package org.protowrap.validator.pop3;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;

/** The {@code pop3} validator of one wrapper: immutable settings and a factory of sessions. */
final class Pop3Validator implements Validator {

    private final Pop3Settings settings;

    Pop3Validator(Pop3Settings settings) {
        this.settings = settings;
    }

    @Override
    public ValidatorSession newSession(SessionInfo session) {
        return new Pop3Session(settings);
    }

    @Override
    public boolean serverSpeaksFirst() {
        return true;
    }

    /**
     * A POP3 server that cannot serve answers {@code -ERR} and closes; the response codes are
     * those of RFC 2449 section 8.1 and RFC 3206: {@code SYS/TEMP} for what may pass,
     * {@code SYS/PERM} for what will not. A client that was too slow gets no code: none of them
     * describes its own fault.
     */
    @Override
    public Optional<byte[]> refusal(Refusal reason) {
        String reply = switch (reason) {
            case NO_BACKEND -> "-ERR [SYS/TEMP] Service not available, try again later";
            case TOO_MANY_CONNECTIONS -> "-ERR [SYS/TEMP] Too many connections, try again later";
            case TIMEOUT -> "-ERR Timeout exceeded, closing connection";
            case SERVER_TIMEOUT -> "-ERR [SYS/TEMP] No answer from the mail server in time, try again later";
            case FORBIDDEN -> "-ERR [SYS/PERM] Access denied";
            case RATE_LIMITED -> "-ERR [SYS/TEMP] Too many connections from your address, try again later";
            case SHUTTING_DOWN -> "-ERR [SYS/TEMP] Server shutting down, try again later";
            default -> "-ERR [SYS/TEMP] Service not available";
        };
        return Optional.of((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** STLS (RFC 2595) is answered here when the wrapper's {@code tls:} has {@code mode: starttls}. */
    @Override
    public boolean startsTls() {
        return true;
    }

    @Override
    public Optional<HealthProbe> healthProbe() {
        return Optional.of(new Pop3HealthProbe());
    }
}

package org.protowrap.validator.http;

import java.util.List;
import java.util.Optional;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorSession;

/** The HTTP validator of one wrapper: immutable, shared by all its connections. */
final class HttpValidator implements Validator {

    private final HttpPolicy policy;
    private final HttpHealthProbe probe;

    HttpValidator(HttpPolicy policy, HttpHealthProbe probe) {
        this.policy = policy;
        this.probe = probe;
    }

    @Override
    public ValidatorSession newSession(SessionInfo session) {
        return new HttpSession(policy);
    }

    /** The client speaks first: no backend is chosen before a valid request head. */
    @Override
    public boolean serverSpeaksFirst() {
        return false;
    }

    /**
     * 503 when there is no backend, too many connections (503 rather than 429: the limit is the
     * wrapper's capacity, not a judgement on this client's rate) or shutdown; 408 when the client
     * was too slow, 504 when the server was; 403 for an address not allowed, 429 for one over the
     * connection rate.
     */
    @Override
    public Optional<byte[]> refusal(Refusal reason) {
        return Optional.of(switch (reason) {
            case NO_BACKEND, SHUTTING_DOWN -> RejectionResponse.forStatus(503, "");
            case TOO_MANY_CONNECTIONS -> RejectionResponse.forStatus(503, "Retry-After: 1\r\n");
            case TIMEOUT -> RejectionResponse.forStatus(408, "");
            case SERVER_TIMEOUT -> RejectionResponse.forStatus(504, "");
            case FORBIDDEN -> RejectionResponse.forStatus(403, "");
            case RATE_LIMITED -> RejectionResponse.forStatus(429, "Retry-After: 1\r\n");
            // a reason added to the API later: the engine could not serve the client
            default -> RejectionResponse.forStatus(503, "");
        });
    }

    /** Only HTTP/1.1 is validated: a client offering h2 over TLS settles on http/1.1 or fails the handshake. */
    @Override
    public List<String> applicationProtocols() {
        return List.of("http/1.1");
    }

    @Override
    public Optional<HealthProbe> healthProbe() {
        return Optional.of(probe);
    }
}

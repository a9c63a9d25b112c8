package org.protowrap.api;

import java.util.List;
import java.util.Optional;

/**
 * A configured validator for one wrapper: immutable, thread-safe, and the factory of one
 * {@link ValidatorSession} per client connection.
 */
public interface Validator {

    /** A fresh state machine for one client connection. Called on the engine's I/O thread: keep it cheap. */
    ValidatorSession newSession(SessionInfo session);

    /**
     * Whether the server speaks first (SMTP, POP3). If so the engine connects to a backend as
     * soon as the client is accepted and starts the session then; otherwise (HTTP, line) it
     * connects only when the session first sends bytes to the server, so that nothing reaches
     * a backend before the client has sent one valid unit.
     */
    boolean serverSpeaksFirst();

    /**
     * The protocol's own words for refusing a client the engine cannot serve, sent before the
     * connection is closed: for SMTP {@code 421 4.3.2 ...}, for HTTP a {@code 503} response.
     * Empty means the engine just closes the connection.
     */
    Optional<byte[]> refusal(Refusal reason);

    /**
     * The application protocols (ALPN, RFC 7301) a client may negotiate when the wrapper
     * terminates TLS, e.g. {@code http/1.1}: only those the validator validates, so that a client
     * offering {@code h2} and {@code http/1.1} settles on the one that is checked, and one offering
     * only {@code h2} is refused by the handshake. Empty: ALPN is not answered. Default: empty.
     */
    default List<String> applicationProtocols() {
        return List.of();
    }

    /**
     * Whether this validator answers its protocol's command to start TLS (SMTP STARTTLS, POP3
     * STLS) when built with {@link ClientTls#STARTTLS}, and completes it with
     * {@link Decisions#startTls}. The engine refuses {@code tls: {mode: starttls}} on a wrapper whose
     * validator does not. Default: false.
     */
    default boolean startsTls() {
        return false;
    }

    /** A protocol-aware health probe for this wrapper's backends, if the protocol has one. */
    default Optional<HealthProbe> healthProbe() {
        return Optional.empty();
    }
}

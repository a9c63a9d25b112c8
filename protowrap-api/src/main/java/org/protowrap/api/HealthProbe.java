package org.protowrap.api;

/**
 * A protocol-aware active health check, offered by a {@link Validator}: a factory of sans-IO
 * {@link ProbeSession}s. The engine connects to the backend, drives one session per check,
 * enforces the timeout, and closes the connection when the session has given its verdict.
 */
public interface HealthProbe {

    /** A short description for logs, e.g. {@code "GET /health expecting 2xx or 3xx"}. */
    String description();

    /** A new probe for one check of one backend. */
    ProbeSession newSession(Backend backend);
}

package org.protowrap.api;

/**
 * Why the engine turns a client away without a validator session having refused it. More reasons
 * may be added in later versions: a {@code switch} over them should have a {@code default} branch.
 */
public enum Refusal {
    /** No backend could be connected: all down, or every attempt failed. */
    NO_BACKEND,
    /** The wrapper or this client address is at its connection limit. */
    TOO_MANY_CONNECTIONS,
    /** The client was too slow: idle, request or session timeout. */
    TIMEOUT,
    /** The server did not answer within the wrapper's {@code serverTimeout} (HTTP 504, SMTP 451 4.4.2). */
    SERVER_TIMEOUT,
    /** The client's address is not allowed here: on the deny list, or not on the allow list (HTTP 403, SMTP 554 5.7.1). */
    FORBIDDEN,
    /** The client opens connections faster than the wrapper's rate limit allows (HTTP 429, SMTP 421 4.7.0). */
    RATE_LIMITED,
    /** The process is shutting down and the grace period ran out. */
    SHUTTING_DOWN
}

package org.protowrap.api;

/** Why the engine turns a client away without a validator session having refused it. */
public enum Refusal {
    /** No backend could be connected: all down, or every attempt failed. */
    NO_BACKEND,
    /** The wrapper or this client address is at its connection limit. */
    TOO_MANY_CONNECTIONS,
    /** The client was too slow: idle, first-unit or session timeout. */
    TIMEOUT,
    /** The process is shutting down and the grace period ran out. */
    SHUTTING_DOWN
}

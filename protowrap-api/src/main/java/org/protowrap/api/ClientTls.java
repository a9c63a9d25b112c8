package org.protowrap.api;

/**
 * How a wrapper speaks TLS with its clients, as far as a validator must know: not at all, from the
 * first byte (the validator sees the plain bytes inside and has nothing to do), or when the
 * protocol's own command asks for it (SMTP STARTTLS, POP3 STLS), which the validator then answers
 * itself and completes with {@link Decisions#startTls}.
 */
public enum ClientTls {
    /** No TLS terminated here. */
    NONE,
    /** TLS from the client's first byte, terminated by the engine. */
    IMPLICIT,
    /** TLS when the client asks for it with the protocol's command; the validator answers it. */
    STARTTLS
}

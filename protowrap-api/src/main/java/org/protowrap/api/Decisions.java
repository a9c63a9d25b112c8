package org.protowrap.api;

import java.nio.ByteBuffer;

/**
 * What a {@link ValidatorSession} answers with. Implemented by the engine; decisions take effect
 * in the order they are made, and the bytes sent to one side keep that order.
 *
 * <p>The engine has consumed (written or copied) the buffer's remaining bytes when a send
 * method returns, so the caller may reuse the buffer at once. Decisions made after
 * {@link #close()} are ignored.
 */
public interface Decisions {

    /**
     * Forward bytes of units the session has accepted to the server. The first call on a
     * client-first connection makes the engine choose and connect a backend.
     */
    void sendToServer(ByteBuffer bytes);

    /**
     * Forward bytes that carry credentials (an AUTH exchange, an Authorization or Cookie header) to
     * the server, exactly as {@link #sendToServer} does. Only the log differs: below logLevel 5 the
     * engine logs that such bytes went, not what they were. Default: {@link #sendToServer}.
     */
    default void sendCredentialsToServer(ByteBuffer bytes) {
        sendToServer(bytes);
    }

    /** Send bytes to the client: relayed server replies, or the session's own replies. */
    void sendToClient(ByteBuffer bytes);

    /** Report a rule that matched: the engine logs it (wrapper, client, rule, action, excerpt) and counts it. */
    void report(Violation violation);

    /**
     * Tells the operator what the connection carried, in the protocol's own terms: the engine adds
     * each fact to the line it logs when the connection ends, as {@code key=value}, in the order
     * the keys were first described; a later value for a key replaces the earlier one. Keys are
     * short lower-case words ({@code requests}, {@code method}, {@code status}, {@code rcpts});
     * values are short and never carry credentials or message content (the engine escapes control
     * bytes and shortens long values, but does not redact). Default: nothing.
     */
    default void describe(String key, String value) {}

    /**
     * Whether the engine keeps what {@link #describe} is told: false when no line it writes at
     * the current log settings carries facts. A session may then skip working out values that
     * serve only the log (formatting a count, copying a method name out of the read buffer);
     * calling {@link #describe} anyway stays harmless. Default: true.
     */
    default boolean describes() {
        return true;
    }

    /**
     * The client has begun a unit that it must complete within the wrapper's {@code requestTimeout}:
     * an HTTP request head, an SMTP command line, the commands of a mail transaction up to its
     * data. The timeout counts from the first call until {@link #clientUnitComplete}, except while
     * the session says it is {@linkplain #awaitingServer awaiting the server}; calling it again
     * while a unit is open changes nothing. Without these calls only the connection's first unit is
     * timed: from accept to the first byte sent to the server. Default: nothing.
     */
    default void clientUnitStarted() {}

    /** The unit begun with {@link #clientUnitStarted} is complete: its timeout stops. Default: nothing. */
    default void clientUnitComplete() {}

    /**
     * One exchange is over: a request and its whole response (HTTP), where the protocol carries
     * many per connection and an operator counts them one by one. The engine writes an access line
     * for it with the facts {@linkplain #describe described} so far, the bytes each way and the time
     * since the exchange's first {@link #clientUnitStarted}; the connection's own line still comes
     * at its end. Describe the exchange's facts (method, target, status) before calling this.
     * Default: nothing.
     */
    default void exchangeComplete() {}

    /**
     * Whether the server owes the client an answer: a request or command went to the server and
     * its response or reply has not begun. While it does, the wrapper's {@code serverTimeout} limits
     * how long the server may stay silent after the last byte sent to it; the engine then ends the
     * connection with the {@linkplain Validator#refusal refusal} for {@link Refusal#SERVER_TIMEOUT}
     * and counts a failure against the backend. A session that never calls this is never timed
     * so (a protocol where the server need not answer). Default: nothing.
     */
    default void awaitingServer(boolean awaiting) {}

    /**
     * The server's bytes break the protocol (a reply that is not SMTP, a response that cannot be
     * framed): the fault is the backend's, not the client's, and the engine counts it against the
     * backend's health like a failed connect. Not for replies the protocol allows, refusals
     * included, nor for anything a client can provoke. Only records: what happens to the
     * connection is still up to the session. Default: nothing, for decisions that track no
     * backends.
     */
    default void serverFault(String reason) {}

    /**
     * The backend connection is idle and could serve another client: every request sent on it has
     * been answered in full, nothing is owed either way, the server said it keeps the connection
     * open, and nothing of this client's is left on it that a later exchange depends on (HTTP/1.1
     * after a complete response without {@code Connection: close}). When the client's connection
     * ends while the backend connection is still idle, the engine may keep the backend connection
     * for a while and hand it to a later client connection of the same wrapper instead of
     * connecting anew; a byte sent to or read from the server since the call cancels it. A session
     * calls it again after each exchange that leaves the connection so. Never for a protocol
     * whose server keeps state for one client (SMTP, POP3, a session after authentication).
     * Default: nothing, and backend connections are never reused.
     */
    default void serverIdle() {}

    /**
     * Drop the backend connection now, abortively: bytes still queued for the server are
     * discarded. Used when the server must never see the end of what it was sent, such as a
     * mail body that turned out to be smuggled.
     */
    void abortServer();

    /**
     * Start TLS with the client, as the wrapper's {@code tls:} section ({@code mode: starttls})
     * says: call it right after sending the reply that tells the client to begin its handshake
     * (SMTP {@code 220} to STARTTLS, POP3 {@code +OK} to STLS). The engine writes what is queued for
     * the client, reads nothing more in plain text, and handshakes; then the session goes on seeing
     * and sending plain bytes, which travel encrypted. A session must not call it while it holds
     * client bytes that came after the command: those were sent in plain text and would appear to
     * come from inside TLS (RFC 3207 §4.2), so refuse them instead. Only for a validator built with
     * {@link ClientTls#STARTTLS}; the engine ends any other connection that calls it as an internal
     * error. Default: unsupported.
     */
    default void startTls() {
        throw new UnsupportedOperationException("these decisions cannot start TLS");
    }

    /** Close the connection once the bytes already queued for the client are written. */
    void close();

    /**
     * Stop inspecting: from now on the engine relays both directions raw and calls the session no
     * more (after HTTP {@code 101 Switching Protocols}, after STARTTLS in passthrough mode). The
     * reason is logged.
     *
     * <p>Until the call that made this decision returns, {@link #sendToClient} and
     * {@link #sendToServer} are still allowed and keep their order: the bytes go after those sent
     * before, and before anything relayed raw. So a session may call this first and then pass on
     * the rest of the buffer it was handed. After that call returns the session has no further
     * chance: whatever it holds (a partial unit, client bytes read ahead) must have been sent by
     * then, or it is lost.
     */
    void relayRaw(String reason);
}

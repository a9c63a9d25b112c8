package org.protowrap.api;

import java.nio.ByteBuffer;

/**
 * The per-connection validator: a sans-IO state machine that is given bytes and answers with
 * {@link Decisions}. It never touches a socket, a thread or a clock; the engine owns all I/O.
 *
 * <p><b>Contract.</b> The engine calls one session from one thread at a time (calls never
 * overlap, and each happens-before the next). Every {@code ByteBuffer} handed in is valid only
 * during the call: a session that needs bytes later (a partial line, a header section) copies
 * them, and keeps that copy bounded by its own limits. A session consumes all of {@code data}
 * (the engine ignores the buffer's position afterwards). Verdicts must not depend on how the
 * bytes were split across calls.
 *
 * <p>Nothing reaches the server except through {@link Decisions#sendToServer}. With
 * {@code testReply} off the engine relays server bytes straight to the client and never calls
 * {@link #onServerData}.
 *
 * <p><b>Own replies behind pipelined ones.</b> The engine never reorders: the client gets bytes
 * in the order the session sends them. When a client pipelines commands and the session answers
 * one itself (a refusal) while the server still owes replies to earlier ones, the session must
 * hold its own reply until those have been relayed, or the client takes it as the answer to an
 * earlier command. One queue with a slot per command, in the client's order, does it: a
 * forwarded command's slot waits for the server's reply, a refused command's slot holds the
 * session's reply, and replies leave only from the head of the queue:
 *
 * <pre>{@code
 * // one slot per command in the client's order; empty: the server's reply is awaited
 * private final Deque<Optional<byte[]>> slots = new ArrayDeque<>();
 *
 * private void forward(ByteBuffer command, Decisions out) {
 *     out.sendToServer(command);
 *     slots.add(Optional.empty());
 * }
 *
 * private void refuse(byte[] reply, Decisions out) {
 *     slots.add(Optional.of(reply));
 *     release(out);
 * }
 *
 * // called from onServerData for each complete reply framed from the server's bytes
 * private void serverReplied(ByteBuffer reply, Decisions out) {
 *     slots.poll();                      // the slot this reply fills
 *     out.sendToClient(reply);
 *     release(out);                      // own replies that were waiting behind it
 * }
 *
 * private void release(Decisions out) {
 *     while (!slots.isEmpty() && slots.peek().isPresent()) {
 *         out.sendToClient(ByteBuffer.wrap(slots.poll().get()));
 *     }
 * }
 * }</pre>
 *
 * <p>An SMTP client that sends {@code MAIL FROM:<a@example.org>}, {@code RCPT TO:<x@elsewhere>}
 * (refused by the session: relaying denied) and {@code RCPT TO:<b@example.org>} in one write
 * leaves the queue as [server, own {@code 554}, server]. The {@code 554} waits until the server's
 * {@code 250} to MAIL has gone out, follows it at once, and the server's reply to the second RCPT
 * comes last: the client reads three replies in the order of its three commands. A reply the
 * server sends when no slot awaits one (SMTP's {@code 421} before closing) goes straight out.
 * The SMTP and POP3 validators built in work this way.
 */
public interface ValidatorSession {

    /**
     * The connection is ready: the client was accepted (and, for a server-first protocol, the
     * backend connected). Default: nothing to do.
     */
    default void onStart(Decisions out) {}

    /** Bytes from the client, in order. */
    void onClientData(ByteBuffer data, Decisions out);

    /**
     * Bytes from the server, in order, when {@code testReply} is on. The session forwards them
     * with {@link Decisions#sendToClient} (it may hold, rewrite or drop them). Default: relay
     * unchanged.
     */
    default void onServerData(ByteBuffer data, Decisions out) {
        out.sendToClient(data);
    }

    /**
     * The client shut down its sending side. Afterwards the engine shuts down its sending side
     * towards the server. An incomplete unit still held by the session is never forwarded unless
     * the session sends it here. Default: nothing to do.
     */
    default void onClientEnd(Decisions out) {}

    /** The server shut down its sending side (only with {@code testReply}). Default: nothing to do. */
    default void onServerEnd(Decisions out) {}

    /**
     * The engine wants the connection to end soon: the process is shutting down, or a reload
     * removed its backend. The session ends it at the protocol's next boundary: at once (with
     * {@link Decisions#close}) if the client is between units, otherwise when the exchange in
     * progress is over, telling the client where the protocol can (HTTP {@code Connection: close}
     * on the response, SMTP {@code 421} after the transaction). Called at most once. Default:
     * nothing; the engine ends the connection when its grace period runs out.
     */
    default void onDrain(Decisions out) {}

    /**
     * A reload removed (or an operator disabled) the backend this connection is using; the
     * process goes on. A session whose client is between exchanges, with nothing owed by or to the
     * server, may {@linkplain Decisions#abortServer drop just the backend connection}: the
     * client's next unit then goes to a backend that remains, and a keep-alive client notices
     * nothing. Otherwise it ends the connection as {@link #onDrain} does. Called at most once per
     * backend connection. Default: {@link #onDrain}, for protocols whose sessions cannot move to
     * another server (a server that speaks first, state the server holds).
     */
    default void onBackendRemoved(Decisions out) {
        onDrain(out);
    }

    /**
     * Whether the client would read one of the validator's {@linkplain Validator#refusal refusals}
     * as the protocol's answer if the engine sent it now, when it ends the connection itself (a
     * timeout, the end of the shutdown grace): true between the units the client is sent, false
     * in the middle of one (a response body being relayed), where the refusal would be taken as
     * part of it; the engine then closes without it. Asked only with {@code testReply}, while the
     * session sees the server's bytes. Default: true.
     */
    default boolean mayRefuseNow() {
        return true;
    }
}

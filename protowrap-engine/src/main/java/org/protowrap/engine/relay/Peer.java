package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * One side of a relayed connection, as its event loop sees it: a socket, a process's pipes, or
 * the standard streams. Every method is called on the owning loop's thread; none blocks.
 * Readiness is reported to the {@link PeerEvents} the peer was created with, on that thread.
 */
interface Peer {

    /** Reads what is available into {@code dst}: the count, 0 if nothing is ready, -1 at the end. */
    int read(ByteBuffer dst) throws IOException;

    /** Writes what the peer takes now from {@code src}; returns the count, possibly 0. */
    int write(ByteBuffer src) throws IOException;

    /** Which readiness events the connection wants next. */
    void interest(boolean read, boolean write);

    /** Ends the sending side once everything written so far is delivered (a TCP FIN, a closed pipe). */
    void shutdownOutput() throws IOException;

    /** Releases the peer; bytes written are still delivered where the transport allows. */
    void close();

    /** Releases the peer at once, discarding what is queued (a TCP RST, a killed process). */
    void abort();

    /** For logs: an address or a command. */
    String describe();

    /** The address a socket is bound to here; empty for other peers or once it is closed. */
    default Optional<InetSocketAddress> localAddress() {
        return Optional.empty();
    }

    /**
     * Sends this peer's events elsewhere from now on: to a {@link TlsPeer} laid over it when the
     * protocol starts TLS on a connection that began in plain text, to {@link IdleServers} while a
     * backend connection waits idle, and to the connection that takes it. Default: unsupported (a
     * process's pipes).
     */
    default void retarget(PeerEvents events) {
        throw new UnsupportedOperationException(describe() + " cannot be handed to other events");
    }
}

package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * Reads the PROXY header a trusted balancer sends first, on the loop that will serve the
 * connection, then hands the socket on with the client the header names. Only the header is read
 * ({@link ProxyHeader.Reader#wanted}): the client's first bytes stay in the socket for the relay,
 * so nothing reaches a backend before the header is complete. A malformed header, an end or a
 * reset before it, or no complete header within {@link #TIMEOUT} ends the connection.
 */
final class ProxyHandshake implements PeerEvents {

    /** A balancer sends the header with the connection: waiting longer only holds a socket. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** What becomes of the connection once the header is in, or not. */
    interface Outcome {
        /** The header is complete; {@code client} and {@code server} are its addresses, or the connection's. */
        void complete(SocketPeer peer, InetSocketAddress client, InetSocketAddress server);

        /** No valid header: {@code why} is for the log. */
        void failed(SocketPeer peer, String why);
    }

    private final EventLoop loop;
    private final InetSocketAddress peerAddress;
    private final InetSocketAddress localAddress;
    private final Outcome outcome;
    private final ProxyHeader.Reader reader = new ProxyHeader.Reader();
    private SocketPeer peer;
    private Timers.Timer timer;
    private boolean over;

    private ProxyHandshake(EventLoop loop, InetSocketAddress peerAddress, InetSocketAddress localAddress, Outcome outcome) {
        this.loop = loop;
        this.peerAddress = peerAddress;
        this.localAddress = localAddress;
        this.outcome = outcome;
    }

    /** Starts reading the header of {@code channel}; on {@code loop}'s thread. */
    static void start(EventLoop loop, SocketChannel channel, InetSocketAddress peerAddress, InetSocketAddress localAddress,
            Outcome outcome) throws IOException {
        ProxyHandshake handshake = new ProxyHandshake(loop, peerAddress, localAddress, outcome);
        handshake.peer = SocketPeer.of(loop, channel, handshake);
        handshake.timer = loop.schedule(TIMEOUT.toNanos(),
                () -> handshake.fail("no complete PROXY header within " + TIMEOUT.toSeconds() + "s"));
        handshake.peer.interest(true, false);
    }

    @Override
    public void readable(Peer p) {
        if (over) {
            return;
        }
        ByteBuffer buffer = loop.readBuffer().limit(reader.wanted());
        int n;
        try {
            n = peer.read(buffer);
        } catch (IOException e) {
            fail("reset before the PROXY header was complete");
            return;
        }
        if (n < 0) {
            fail("closed before the PROXY header was complete");
            return;
        }
        try {
            Optional<ProxyHeader> header = reader.take(buffer.flip());
            header.ifPresent(this::complete);
        } catch (ProxyHeader.Malformed e) {
            fail("malformed PROXY header: " + e.getMessage());
        }
    }

    @Override
    public void writable(Peer p) {
        // nothing is written before the header is in
    }

    private void complete(ProxyHeader header) {
        over = true;
        timer.cancel();
        peer.interest(false, false);
        outcome.complete(peer, header.source().orElse(peerAddress), header.destination().orElse(localAddress));
    }

    private void fail(String why) {
        if (!over) {
            over = true;
            timer.cancel();
            peer.interest(false, false);
            outcome.failed(peer, why);
        }
    }
}

package org.protowrap.engine.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.Function;

/**
 * Writes a PROXY header on a backend socket the moment it is connected, below any TLS, before
 * the connection hears of it: nothing else can be written first. The header (at most a few
 * hundred bytes) fits the empty send buffer of a new socket; a socket that takes less fails the
 * connect.
 */
final class HeaderFirst implements PeerEvents {

    private final PeerEvents events;
    private final Function<Peer, byte[]> header;

    HeaderFirst(PeerEvents events, byte[] header) {
        this(events, peer -> header);
    }

    /** The header made for the connected socket, e.g. from its local address. */
    HeaderFirst(PeerEvents events, Function<Peer, byte[]> header) {
        this.events = events;
        this.header = header;
    }

    @Override
    public void connected(Peer peer) {
        ByteBuffer bytes = ByteBuffer.wrap(header.apply(peer));
        try {
            while (bytes.hasRemaining()) {
                if (peer.write(bytes) == 0) {
                    throw new IOException("the PROXY header did not fit the new socket's send buffer");
                }
            }
        } catch (IOException e) {
            events.connectFailed(peer, e);
            return;
        }
        events.connected(peer);
    }

    @Override
    public void connectFailed(Peer peer, IOException cause) {
        events.connectFailed(peer, cause);
    }

    @Override
    public void readable(Peer peer) {
        events.readable(peer);
    }

    @Override
    public void writable(Peer peer) {
        events.writable(peer);
    }
}

package org.protowrap.engine.relay;

import java.io.IOException;

/** What a {@link Peer} reports to its connection, always on the owning loop's thread. */
interface PeerEvents {

    /** The peer has bytes (or its end) to read. */
    void readable(Peer peer);

    /** The peer can take more bytes. */
    void writable(Peer peer);

    /** An outgoing connection is established. */
    default void connected(Peer peer) {}

    /** An outgoing connection failed. */
    default void connectFailed(Peer peer, IOException cause) {}
}

package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Optional;

/** A TCP socket registered with an event loop: the client, or a backend being connected to. */
final class SocketPeer implements Peer, Ready {

    private final EventLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private PeerEvents events;
    private final SocketAddress remote;
    private boolean connecting;
    private boolean outputShut;

    private SocketPeer(EventLoop loop, SocketChannel channel, PeerEvents events, SocketAddress remote, boolean connecting)
            throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.events = events;
        this.remote = remote;
        this.connecting = connecting;
        this.key = loop.register(channel, connecting ? SelectionKey.OP_CONNECT : 0, this);
    }

    @Override
    public void retarget(PeerEvents next) {
        events = next;
    }

    /** An accepted or inherited socket. */
    static SocketPeer of(EventLoop loop, SocketChannel channel, PeerEvents events) throws IOException {
        configure(channel);
        return new SocketPeer(loop, channel, events, channel.getRemoteAddress(), false);
    }

    /** Starts connecting; {@link PeerEvents#connected} or {@link PeerEvents#connectFailed} follows. */
    static SocketPeer connect(EventLoop loop, InetSocketAddress address, PeerEvents events) throws IOException {
        SocketChannel channel = SocketChannel.open(Listener.family(address));
        try {
            configure(channel);
            // on loopback the handshake is usually over when connect returns: checking at once
            // saves registering for OP_CONNECT and a trip through the selector
            boolean done = channel.connect(address) || channel.finishConnect();
            SocketPeer peer = new SocketPeer(loop, channel, events, address, !done);
            if (done) {
                loop.execute(() -> events.connected(peer));
            }
            return peer;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static void configure(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        // a relay adds its own hop: small replies must not wait for Nagle's timer (TCP only; an
        // inherited socket may be a Unix domain socket)
        if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
    }

    @Override
    public void ready(SelectionKey selected) {
        if (connecting && selected.isConnectable()) {
            finishConnect();
            return;
        }
        if (selected.isValid() && selected.isReadable()) {
            events.readable(this);
        }
        if (selected.isValid() && selected.isWritable()) {
            events.writable(this);
        }
    }

    private void finishConnect() {
        try {
            channel.finishConnect();
            connecting = false;
            key.interestOps(0);
            events.connected(this);
        } catch (IOException e) {
            events.connectFailed(this, e);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public void interest(boolean read, boolean write) {
        if (connecting || !key.isValid()) {
            return;
        }
        int ops = (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
        outputShut = true;
    }

    /**
     * Sends the end at once (the peer should not have to wait, nor race to end first and keep
     * the TIME_WAIT), and closes once the loop's next select (which does not sleep) has
     * deregistered the channel: closing a registered channel costs a {@code getsockopt} more.
     */
    @Override
    public void close() {
        key.cancel();
        if (!outputShut) {
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                // not connected any more: there is no end to send
            }
        }
        loop.closeAfterSelect(channel);
    }

    @Override
    public void abort() {
        try {
            if (channel.isOpen() && channel.supportedOptions().contains(StandardSocketOptions.SO_LINGER)) {
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
        } catch (IOException e) {
            // not connected yet: a plain close is all there is
        }
        key.cancel();
        closeNow();
    }

    private void closeNow() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is best effort: the descriptor is released either way
        }
    }

    @Override
    public String describe() {
        return AddressText.of(remote);
    }

    @Override
    public Optional<InetSocketAddress> localAddress() {
        try {
            return channel.getLocalAddress() instanceof InetSocketAddress local ? Optional.of(local) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.protowrap.api.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wrapper's listening socket. Bound when created (so that it can be bound before privileges
 * are dropped), accepting once {@link #start} registers it with its home loop, which hands each
 * accepted connection to the next loop in turn. Connections over a limit are refused here.
 */
public final class Listener implements Ready {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private final ServerSocketChannel channel;
    private final LiveWrapper wrapper;
    private final Relay relay;
    private final EventLoop home;
    private SelectionKey key;

    private Listener(ServerSocketChannel channel, LiveWrapper wrapper, Relay relay, EventLoop home) {
        this.channel = channel;
        this.wrapper = wrapper;
        this.relay = relay;
        this.home = home;
    }

    static Listener bind(LiveWrapper wrapper, Relay relay, EventLoop home) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(wrapper.config().listenAddr(), wrapper.config().listenPort()), 1024);
            channel.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new Listener(channel, wrapper, relay, home);
    }

    public LiveWrapper wrapper() {
        return wrapper;
    }

    /** The bound address. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return new InetSocketAddress(wrapper.config().listenAddr(), wrapper.config().listenPort());
        }
    }

    /** The bound address as logs print it. */
    public String describe() {
        return AddressText.of(address());
    }

    /** Starts accepting. */
    public void start() {
        home.execute(() -> {
            try {
                key = home.register(channel, SelectionKey.OP_ACCEPT, this);
            } catch (IOException e) {
                log.error("wrapper={} cannot accept on {}", wrapper.name(), describe(), e);
            }
        });
    }

    /** Stops accepting and releases the port; done when the future completes. */
    public CompletableFuture<Void> close() {
        return home.submit(() -> {
            if (key != null) {
                key.cancel();
            }
            try {
                channel.close();
                home.flushCancelledKeys();
            } catch (IOException e) {
                log.debug("closing the listener of {}", wrapper.name(), e);
            }
            return null;
        });
    }

    @Override
    public void ready(SelectionKey selected) {
        for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel accepted;
            try {
                accepted = channel.accept();
            } catch (IOException e) {
                log.warn("wrapper={} accept failed: {}", wrapper.name(), e.getMessage());
                return;
            }
            if (accepted == null) {
                return;
            }
            admit(accepted);
        }
    }

    private void admit(SocketChannel accepted) {
        InetSocketAddress client;
        try {
            client = (InetSocketAddress) accepted.getRemoteAddress();
        } catch (IOException e) {
            closeQuietly(accepted);
            return;
        }
        Optional<String> limit = wrapper.admit(client.getAddress());
        if (limit.isPresent()) {
            refuse(accepted, client, limit.get());
            return;
        }
        EventLoop loop = relay.nextLoop();
        loop.execute(() -> Connection.start(loop, wrapper, client, events -> SocketPeer.of(loop, accepted, events)));
    }

    private void refuse(SocketChannel accepted, InetSocketAddress client, String limit) {
        log.warn("wrapper={} client={} refused: {} reached ({}) outcome=too-many-connections", wrapper.name(),
                AddressText.of(client),
                limit, limit.equals("maxConnections") ? wrapper.config().maxConnections()
                        : wrapper.config().maxConnectionsPerClient());
        wrapper.validator().refusal(Refusal.TOO_MANY_CONNECTIONS).ifPresent(bytes -> {
            try {
                accepted.configureBlocking(false);
                accepted.write(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                // the client is gone already
            }
        });
        closeQuietly(accepted);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }
}

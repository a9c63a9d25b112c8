package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.protowrap.api.Refusal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wrapper's listening socket. Bound when created (so that it can be bound before privileges
 * are dropped), accepting once {@link #start} registers it with every loop. A loop serves the
 * connections it accepts itself: a new connection is not handed to another thread, which would
 * cost a wakeup and, on a busy machine, a wait for that thread to be scheduled. Connections are
 * spread by which loop is free first, not in turn; every idle loop wakes for each new
 * connection and all but one find nothing to accept. Connections over a limit are refused here.
 */
public final class Listener {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int ACCEPTS_PER_WAKEUP = 64;

    private final ServerSocketChannel channel;
    private final LiveWrapper wrapper;
    private final List<Acceptor> acceptors;

    private Listener(ServerSocketChannel channel, LiveWrapper wrapper, List<EventLoop> loops) {
        this.channel = channel;
        this.wrapper = wrapper;
        this.acceptors = loops.stream().map(Acceptor::new).toList();
    }

    static Listener bind(LiveWrapper wrapper, List<EventLoop> loops) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(wrapper.config().listenAddr(), wrapper.config().listenPort()), 1024);
            channel.configureBlocking(false);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return new Listener(channel, wrapper, loops);
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

    /** Starts accepting on every loop. */
    public void start() {
        acceptors.forEach(Acceptor::start);
    }

    /** Stops accepting and releases the port; done when the future completes. */
    public CompletableFuture<Void> close() {
        // the port is free only once no selector holds the channel: every loop lets go first
        CompletableFuture<?>[] released = acceptors.stream().map(Acceptor::stop).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(released).thenRun(this::closeChannel);
    }

    private void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing the listener of {}", wrapper.name(), e);
        }
    }

    /** The listening channel as one loop sees it: accepts and serves on that loop. */
    private final class Acceptor implements Ready {
        private final EventLoop loop;
        private SelectionKey key;

        Acceptor(EventLoop loop) {
            this.loop = loop;
        }

        void start() {
            loop.execute(() -> {
                try {
                    key = loop.register(channel, SelectionKey.OP_ACCEPT, this);
                } catch (IOException e) {
                    log.error("wrapper={} cannot accept on {}", wrapper.name(), describe(), e);
                }
            });
        }

        CompletableFuture<Void> stop() {
            return loop.submit(() -> {
                if (key != null) {
                    key.cancel();
                }
                try {
                    loop.flushCancelledKeys();
                } catch (IOException e) {
                    log.debug("releasing the listener of {}", wrapper.name(), e);
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
                admit(accepted, loop);
            }
        }
    }

    private void admit(SocketChannel accepted, EventLoop loop) {
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
        Connection.start(loop, wrapper, client, events -> SocketPeer.of(loop, accepted, events));
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

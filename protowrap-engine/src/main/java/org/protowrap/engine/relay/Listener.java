package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.protowrap.api.Refusal;
import org.protowrap.engine.config.AddressRange;
import org.protowrap.engine.logging.LogThrottle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wrapper's listening address. Bound when created (so that it can be bound before privileges
 * are dropped), accepting once {@link #start} registers it with the loops.
 *
 * <p>Where the system spreads connections over sockets bound with {@code SO_REUSEPORT} (Linux),
 * every loop has a socket of its own on the address and serves what it accepts, unless another
 * loop holds clearly fewer connections ({@link Relay#placeFor}): most connections are never
 * handed from one thread to another. Elsewhere one socket accepts on one loop and hands each
 * connection to the next loop in turn. Connections over a limit are refused here.
 */
public final class Listener {

    private static final Logger log = LoggerFactory.getLogger(Listener.class);
    private static final int ACCEPTS_PER_WAKEUP = 64;
    private static final long PAUSE_NANOS = 100_000_000L;
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    private static final int BACKLOG = 4096;
    static final int MAX_TARPITTED = 1024;
    private static final boolean KERNEL_SPREADS_CONNECTIONS = System.getProperty("os.name", "").startsWith("Linux");

    /** The generation of the wrapper that new connections are served by; a reload may swap it. */
    private volatile LiveWrapper wrapper;
    private final Relay relay;
    private final List<Acceptor> acceptors = new ArrayList<>();
    /** Pauses and refusals are logged once per interval with a count, not once each. */
    private final LogThrottle pauses = new LogThrottle(LOG_INTERVAL);
    /** Refusals are throttled per reason, so that a flood of one kind does not hide the others. */
    private final Map<String, LogThrottle> refusals = new ConcurrentHashMap<>();
    /** Refused clients waiting out the tarpit now: each holds a socket, so there is a ceiling. */
    private final AtomicInteger tarpitted = new AtomicInteger();
    /** Connections whose PROXY header is being read: not counted yet, so bounded here by {@code maxConnections}. */
    private final AtomicInteger handshakes = new AtomicInteger();

    private Listener(LiveWrapper wrapper, Relay relay) {
        this.wrapper = wrapper;
        this.relay = relay;
    }

    /** Binds one socket per loop of {@code relay}, or one socket that hands connections to the next loop. */
    static Listener bind(LiveWrapper wrapper, Relay relay) throws IOException {
        return bind(wrapper, relay, KERNEL_SPREADS_CONNECTIONS && relay.loops().size() > 1);
    }

    static Listener bind(LiveWrapper wrapper, Relay relay, boolean socketPerLoop) throws IOException {
        List<EventLoop> loops = relay.loops();
        InetSocketAddress address = new InetSocketAddress(wrapper.config().listen().addr(),
                wrapper.config().listen().port());
        Listener listener = new Listener(wrapper, relay);
        try {
            if (socketPerLoop) {
                // a socket of the group binds even where another process of this user holds the
                // address with SO_REUSEPORT (it would then share the connections): a plain bind
                // first makes that the error it is everywhere else
                probe(address);
                for (EventLoop loop : loops) {
                    listener.acceptors.add(listener.new Acceptor(open(address, true), loop, false));
                }
            } else {
                listener.acceptors.add(listener.new Acceptor(open(address, false), relay.nextLoop(), true));
            }
        } catch (IOException | RuntimeException e) {
            listener.acceptors.forEach(a -> closeQuietly(a.channel));
            throw e;
        }
        relay.descriptors().charge(listener.acceptors.size());
        return listener;
    }

    /** Binds the address and releases it at once: fails as a plain bind would where it is taken. */
    private static void probe(InetSocketAddress address) throws IOException {
        try (ServerSocketChannel channel = ServerSocketChannel.open(family(address))) {
            channel.bind(address, 1);
        }
    }

    private static ServerSocketChannel open(InetSocketAddress address, boolean reusePort) throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(family(address));
        try {
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(address, BACKLOG);
            channel.configureBlocking(false);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** IPv4 sockets for IPv4 addresses: no IPv4-mapped detour through the IPv6 stack. */
    static ProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    /** The wrapper new connections are served by. */
    public LiveWrapper wrapper() {
        return wrapper;
    }

    /**
     * Serves the connections accepted from now on with {@code next}, a new generation of this
     * wrapper on the same address (a reload): the listening sockets stay open, so no client is
     * refused or reset by the change. Connections already accepted keep the generation they have.
     */
    public void serve(LiveWrapper next) {
        LiveWrapper previous = wrapper;
        wrapper = next;
        previous.succeededBy(next);
    }

    /** The bound address. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) acceptors.getFirst().channel.getLocalAddress();
        } catch (IOException e) {
            return new InetSocketAddress(wrapper.config().listen().addr(), wrapper.config().listen().port());
        }
    }

    /** The bound address as logs print it. */
    public String describe() {
        return AddressText.of(address());
    }

    /** Sockets bound to the address: one per loop, or one. */
    int sockets() {
        return acceptors.size();
    }

    /** Starts accepting. */
    public void start() {
        acceptors.forEach(Acceptor::start);
    }

    /** Stops accepting and releases the port; done when the future completes. */
    public CompletableFuture<Void> close() {
        return CompletableFuture.allOf(acceptors.stream().map(Acceptor::close).toArray(CompletableFuture[]::new))
                .thenRun(() -> relay.descriptors().give(acceptors.size()));
    }

    /** One listening socket and the loop it accepts on. */
    private final class Acceptor implements Ready {

        private final ServerSocketChannel channel;
        private final EventLoop loop;
        /** The only socket of the address: its connections go to every loop in turn. */
        private final boolean shared;
        private SelectionKey key;

        Acceptor(ServerSocketChannel channel, EventLoop loop, boolean shared) {
            this.channel = channel;
            this.loop = loop;
            this.shared = shared;
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

        CompletableFuture<Void> close() {
            return loop.submit(() -> {
                if (key != null) {
                    key.cancel();
                }
                try {
                    channel.close();
                    loop.flushCancelledKeys();
                } catch (IOException e) {
                    log.debug("closing the listener of {}", wrapper.name(), e);
                }
                return null;
            });
        }

        @Override
        public void ready(SelectionKey selected) {
            for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
                if (!wrapper.descriptorsLeft()) {
                    pause("connections hold every file descriptor the process may use (ulimit -n)");
                    return;
                }
                SocketChannel accepted;
                try {
                    accepted = channel.accept();
                } catch (IOException e) {
                    if (FileDescriptors.exhausted(e)) {
                        pause(e.getMessage());
                    } else {
                        log.warn("wrapper={} accept failed: {}", wrapper.name(), e.getMessage());
                    }
                    return;
                }
                if (accepted == null) {
                    return;
                }
                admit(accepted);
            }
        }

        /**
         * Stops accepting for {@link #PAUSE_NANOS}: without descriptors an accept fails at once
         * and the socket stays ready, so retrying at once would spin. Clients wait in the
         * listening socket's queue meanwhile.
         */
        private void pause(String why) {
            key.interestOps(0);
            loop.schedule(PAUSE_NANOS, () -> {
                if (key.isValid()) {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
            });
            long skipped = pauses.occurred(loop.now());
            if (skipped != LogThrottle.SKIP) {
                log.warn("wrapper={} accepting paused for {}ms on {}: {}{}", wrapper.name(), PAUSE_NANOS / 1_000_000,
                        describe(), why, LogThrottle.more(skipped));
            }
        }

        private void admit(SocketChannel accepted) {
            LiveWrapper current = wrapper;
            InetSocketAddress peer;
            InetSocketAddress local;
            try {
                peer = (InetSocketAddress) accepted.getRemoteAddress();
                local = (InetSocketAddress) accepted.getLocalAddress();
            } catch (IOException e) {
                closeQuietly(accepted);
                return;
            }
            EventLoop target = shared ? relay.nextLoop() : relay.placeFor(loop);
            Optional<List<AddressRange>> trusted = current.config().edge().proxyTrusted();
            if (trusted.isEmpty()) {
                serve(current, loop, target, ClientSocket.of(accepted), peer, local,
                        events -> SocketPeer.of(target, accepted, events));
            } else if (trusted.get().stream().noneMatch(r -> r.contains(peer.getAddress()))) {
                refuse(current, loop, ClientSocket.of(accepted), peer, new LiveWrapper.Turned("proxyProtocol",
                        Refusal.FORBIDDEN, "not a trusted sender of PROXY headers"));
            } else if (handshakes.incrementAndGet() > current.config().limits().maxConnections()) {
                handshakes.decrementAndGet();
                refuse(current, loop, ClientSocket.of(accepted), peer, new LiveWrapper.Turned("maxConnections",
                        Refusal.TOO_MANY_CONNECTIONS, "maxConnections reached by connections awaiting their PROXY header ("
                        + current.config().limits().maxConnections() + ")"));
            } else {
                target.handIn(() -> readProxyHeader(current, target, accepted, peer, local));
            }
        }
    }

    /** Reads the PROXY header on the loop that will serve the connection, then serves it as from the client it names. */
    private void readProxyHeader(LiveWrapper current, EventLoop target, SocketChannel accepted, InetSocketAddress peer,
            InetSocketAddress local) {
        try {
            ProxyHandshake.start(target, accepted, peer, local, new ProxyHandshake.Outcome() {
                @Override
                public void complete(SocketPeer socket, InetSocketAddress client, InetSocketAddress server) {
                    handshakes.decrementAndGet();
                    serve(current, target, target, ClientSocket.of(socket), client, server, events -> {
                        socket.retarget(events);
                        return socket;
                    });
                }

                @Override
                public void failed(SocketPeer socket, String why) {
                    handshakes.decrementAndGet();
                    refuse(current, target, ClientSocket.of(socket), peer, new LiveWrapper.Turned("proxyProtocol",
                            Refusal.FORBIDDEN, why));
                }
            });
        } catch (IOException e) {
            handshakes.decrementAndGet();
            closeQuietly(accepted);
        }
    }

    /**
     * Admits a client by its address (the connection's, or the one its PROXY header names) and
     * starts serving it on {@code target}, or refuses it from {@code here}, the loop running this.
     */
    private void serve(LiveWrapper current, EventLoop here, EventLoop target, ClientSocket socket,
            InetSocketAddress client, InetSocketAddress server, Connection.ClientSide side) {
        Optional<LiveWrapper.Turned> turned = current.screen(client.getAddress(), here.now());
        if (turned.isPresent()) {
            refuse(current, here, socket, client, turned.get());
            return;
        }
        Optional<String> limit = current.admit(client.getAddress());
        if (limit.isPresent()) {
            refuse(current, here, socket, client, new LiveWrapper.Turned(limit.get(), Refusal.TOO_MANY_CONNECTIONS,
                    limit.get() + " reached" + switch (limit.get()) {
                        case "maxConnections" -> " (" + current.config().limits().maxConnections() + ")";
                        case "maxConnectionsPerClient" ->
                                " (" + current.config().limits().maxConnectionsPerClient() + ")";
                        default -> "";
                    }));
            return;
        }
        current.metrics().accepted();
        if (target == here) {
            Connection.start(target, current, client, server, side);
        } else {
            target.handIn(() -> Connection.start(target, current, client, server, side));
        }
    }

    /**
     * Sends the protocol's refusal and closes, counted by reason and logged at most once per
     * interval; a client refused by the access lists, the rate limit or for its PROXY header waits
     * the wrapper's {@code tarpit} first, unless {@link #MAX_TARPITTED} already wait.
     */
    private void refuse(LiveWrapper current, EventLoop here, ClientSocket socket, InetSocketAddress client,
            LiveWrapper.Turned turned) {
        current.metrics().refused(turned.reason());
        long skipped = refusals.computeIfAbsent(turned.reason(), r -> new LogThrottle(LOG_INTERVAL)).occurred(System.nanoTime());
        if (skipped != LogThrottle.SKIP) {
            log.warn("wrapper={} client={} refused: {} outcome={}{}", current.name(), AddressText.of(client),
                    turned.detail(), outcome(turned.refusal()), LogThrottle.more(skipped));
        }
        Runnable send = () -> {
            current.validator().refusal(turned.refusal()).ifPresent(socket::send);
            socket.close();
        };
        long tarpit = current.config().edge().tarpit().toNanos();
        if (tarpit > 0 && turned.refusal() != Refusal.TOO_MANY_CONNECTIONS && tarpitSlot()) {
            here.schedule(tarpit, () -> {
                tarpitted.decrementAndGet();
                send.run();
            });
        } else {
            send.run();
        }
    }

    /** Takes a place in the tarpit, if one of {@link #MAX_TARPITTED} is free. */
    private boolean tarpitSlot() {
        if (tarpitted.incrementAndGet() <= MAX_TARPITTED) {
            return true;
        }
        tarpitted.decrementAndGet();
        return false;
    }

    private static String outcome(Refusal refusal) {
        return switch (refusal) {
            case FORBIDDEN -> "forbidden";
            case RATE_LIMITED -> "rate-limited";
            default -> "too-many-connections";
        };
    }

    /** A client socket about to be refused: a plain accepted channel, or one registered with a loop. */
    private interface ClientSocket {
        void send(byte[] bytes);

        void close();

        static ClientSocket of(SocketChannel channel) {
            return new ClientSocket() {
                @Override
                public void send(byte[] bytes) {
                    try {
                        channel.configureBlocking(false);
                        channel.write(ByteBuffer.wrap(bytes));
                    } catch (IOException e) {
                        // the client is gone already
                    }
                }

                @Override
                public void close() {
                    closeQuietly(channel);
                }
            };
        }

        static ClientSocket of(Peer peer) {
            return new ClientSocket() {
                @Override
                public void send(byte[] bytes) {
                    try {
                        peer.write(ByteBuffer.wrap(bytes));
                    } catch (IOException e) {
                        // the client is gone already
                    }
                }

                @Override
                public void close() {
                    peer.close();
                }
            };
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }
}

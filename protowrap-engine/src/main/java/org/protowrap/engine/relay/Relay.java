package org.protowrap.engine.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.protowrap.api.Refusal;
import org.protowrap.engine.config.EdgeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O side of the engine: a fixed set of {@link EventLoop}s ({@code ioThreads}, one per core
 * by default) that every listener and connection of every wrapper shares. Knows nothing of
 * configuration files or signals: the runtime tells it what to listen on and when to stop.
 */
public final class Relay implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final List<EventLoop> loops = new ArrayList<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** Measured before any listener is bound: listeners charge their sockets to it as they bind. */
    private final FileDescriptors descriptors = FileDescriptors.measure();

    /** Creates the loops; they run once {@link #start} is called. */
    public Relay(int threads) {
        for (int i = 0; i < threads; i++) {
            loops.add(new EventLoop("protowrap-loop-" + i));
        }
    }

    public void start() {
        loops.forEach(EventLoop::start);
    }

    /** The process's file descriptors, as a budget that every wrapper's connections share. */
    public FileDescriptors descriptors() {
        return descriptors;
    }

    /** Binds the wrapper's listening address now; it accepts once {@link Listener#start} is called. */
    public Listener bind(LiveWrapper wrapper) throws IOException {
        return Listener.bind(wrapper, this);
    }

    /** Starts the wrapper's active health checks, if it has any, on one of the loops. */
    public HealthChecks checkHealth(LiveWrapper wrapper) {
        return HealthChecks.start(wrapper, nextLoop());
    }

    /**
     * Serves one connection whose client is an inherited socket (inetd, systemd {@code Accept=yes},
     * or the Unix domain socket pair socat gives its EXEC children; that one is logged as loopback
     * port 0). The connection is counted like any other; being the only one, it is never over a limit.
     * A wrapper with access lists refuses a client whose address it cannot know.
     */
    public void serve(LiveWrapper wrapper, SocketChannel client) throws IOException {
        boolean known = client.getRemoteAddress() instanceof InetSocketAddress;
        InetSocketAddress address = known ? (InetSocketAddress) client.getRemoteAddress()
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (known ? refused(wrapper, client, address) : refusedUnknown(wrapper, "is not a TCP socket", bytes -> {
            try (client) {
                client.write(ByteBuffer.wrap(bytes));
            }
        })) {
            return;
        }
        EventLoop loop = nextLoop();
        wrapper.admit(address.getAddress());
        loop.execute(() -> Connection.start(loop, wrapper, address, events -> SocketPeer.of(loop, client, events)));
    }

    /**
     * The access lists for an inherited TCP socket: a refused client waits the {@code tarpit} (this
     * process serves it alone), gets the protocol's refusal and is closed. A rate limit has nothing
     * to count in a process per connection; a wrapper with {@code proxyProtocol} does not run here.
     *
     * @return whether the client was refused
     */
    private static boolean refused(LiveWrapper wrapper, SocketChannel client, InetSocketAddress address) throws IOException {
        Optional<LiveWrapper.Turned> turned = wrapper.screen(address.getAddress(), System.nanoTime());
        if (turned.isEmpty()) {
            return false;
        }
        wrapper.metrics().refused(turned.get().reason());
        log.warn("wrapper={} client={} refused: {} outcome=forbidden", wrapper.name(), AddressText.of(address),
                turned.get().detail());
        try {
            Thread.sleep(wrapper.config().edge().tarpit());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (client) {
            Optional<byte[]> bytes = wrapper.validator().refusal(turned.get().refusal());
            if (bytes.isPresent()) {
                client.write(ByteBuffer.wrap(bytes.get()));
            }
        }
        return true;
    }

    /**
     * Fails closed: with an {@code allow} or {@code deny} list, a client whose address is unknown
     * (standard input is not a TCP socket) gets the protocol's refusal, as a denied client does.
     *
     * @return whether the client was refused
     */
    private static boolean refusedUnknown(LiveWrapper wrapper, String what, RefusalSink sink) throws IOException {
        EdgeConfig edge = wrapper.config().edge();
        if (edge.allow().isEmpty() && edge.deny().isEmpty()) {
            return false;
        }
        wrapper.metrics().refused("forbidden");
        log.warn("wrapper={} client=unknown refused: the wrapper has allow/deny lists but the client's address is "
                + "unknown, because standard input {} (with socat, use EXEC:...,nofork) outcome=forbidden",
                wrapper.name(), what);
        sink.send(wrapper.validator().refusal(Refusal.FORBIDDEN).orElse(new byte[0]));
        return true;
    }

    /** Where a refusal is written, and the client closed. */
    private interface RefusalSink {
        void send(byte[] refusal) throws IOException;
    }

    /**
     * Serves one connection whose client speaks on two streams (socat EXEC, a pipe). Counted like
     * {@link #serve(LiveWrapper, SocketChannel)}; refused if the wrapper has access lists, since
     * the client's address is unknown.
     *
     * @return completes when the connection's last bytes were written to {@code out} and it was closed
     */
    public CompletableFuture<Void> serve(LiveWrapper wrapper, InputStream in, OutputStream out) {
        try {
            if (refusedUnknown(wrapper, "is not a socket", bytes -> {
                try (out) {
                    out.write(bytes);
                    out.flush();
                }
            })) {
                return CompletableFuture.completedFuture(null);
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        EventLoop loop = nextLoop();
        CompletableFuture<Void> written = new CompletableFuture<>();
        wrapper.admit(address.getAddress());
        loop.execute(() -> Connection.start(loop, wrapper, address, events -> {
            StreamPeer peer = new StreamPeer(loop, events, in, out, "stdio");
            peer.outputClosed().whenComplete((done, failure) -> written.complete(null));
            peer.start();
            return peer;
        }));
        return written;
    }

    List<EventLoop> loops() {
        return List.copyOf(loops);
    }

    /**
     * Where a connection accepted on {@code accepting} is served: there, unless another loop holds
     * clearly fewer connections. The kernel spreads connections over the loops' sockets at random,
     * which evens out over many connections but can put three of four long ones on one loop; a
     * hand-off costs a wakeup of the other loop, so small differences are left alone.
     */
    EventLoop placeFor(EventLoop accepting) {
        EventLoop least = accepting;
        for (EventLoop loop : loops) {
            if (loop.load() < least.load()) {
                least = loop;
            }
        }
        int lighter = least.load();
        return accepting.load() - lighter >= 1 + lighter / 4 ? least : accepting;
    }

    EventLoop nextLoop() {
        return loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
    }

    /** Each loop's name and the time it spent working, not waiting, since it started. */
    public java.util.Map<String, Long> loopBusyNanos() {
        java.util.Map<String, Long> busy = new java.util.LinkedHashMap<>();
        loops.forEach(l -> busy.put(l.name(), l.busyNanos()));
        return busy;
    }

    /** Open connections across all loops. */
    public int activeConnections() {
        return loops.stream().mapToInt(EventLoop::connectionCount).sum();
    }

    /** Bytes queued in all connections, waiting for a slow side. */
    public long pendingBytes() {
        return loops.stream().map(EventLoop::pendingBytes).toList().stream().mapToLong(CompletableFuture::join).sum();
    }

    /**
     * Asks every open connection to end at its protocol's next boundary (an idle HTTP keep-alive
     * connection at once, an SMTP session after its transaction): the start of a shutdown.
     *
     * @return how many were asked: the connections in flight, some of which may have ended already
     */
    public int drainAll() {
        return drain(connection -> true);
    }

    /**
     * Asks the connections of {@code wrapper}, those of every generation of it, to end at their
     * next boundary: after a reload removed the wrapper.
     *
     * @return how many were asked
     */
    public int drain(String wrapper) {
        return drain(c -> c.wrapperName().equals(wrapper));
    }

    /**
     * Tells the connections of {@code wrapper} (every generation) that use one of {@code backends}
     * that a reload removed it, or an operator disabled it: each session moves its client to
     * another backend at its next unit where it can, or ends the connection at its next boundary.
     *
     * @return how many were told
     */
    public int backendsRemoved(String wrapper, Set<String> backends) {
        Predicate<Connection> which = c -> c.wrapperName().equals(wrapper)
                && c.backendName().filter(backends::contains).isPresent();
        return loops.stream().map(l -> l.backendRemoved(which)).toList().stream().mapToInt(CompletableFuture::join)
                .sum();
    }

    private int drain(Predicate<Connection> which) {
        return loops.stream().map(l -> l.drain(which)).toList().stream().mapToInt(CompletableFuture::join).sum();
    }

    /**
     * Ends every open connection now, with the protocol's refusal where the client can take it
     * (the end of the shutdown grace); returns how many there were.
     */
    public int shutDownAll() {
        return loops.stream().map(EventLoop::shutDownAll).toList().stream().mapToInt(CompletableFuture::join).sum();
    }

    /** Stops the loops, closing whatever is still open. */
    @Override
    public void close() {
        loops.forEach(EventLoop::stop);
    }
}

package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.protowrap.engine.config.DestType;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.logging.DurationText;

/**
 * The backend side of one connection: chooses a backend with the wrapper's balancer (or starts
 * the {@code destType: pipe} program), connects, and on failure or connect timeout tries the next
 * candidate, up to {@code connectAttempts}. Host names are resolved on a virtual thread at connect
 * time, never on the loop. Success arrives as {@link PeerEvents#connected}; running out of
 * candidates as {@link Connection#noBackend}.
 *
 * <p>Where the wrapper allows it ({@code serverKeepAlive}, no {@code sendProxy}), the chosen
 * backend's connection may be one a client that ended left idle ({@link IdleServers}), and one
 * this client leaves idle is kept for the next instead of being closed ({@link #closeKeepingIdle}).
 *
 * <p>It also tells each backend's health what its connections saw: a failed connect or a protocol
 * error is a failure; a connection that ends without a fault, a success.
 */
final class BackendLink {

    /** Where the backend side is. */
    enum State {
        NONE,
        CONNECTING,
        CONNECTED,
        /** Aborted by the session; {@link #connect} starts over with every backend. */
        GONE
    }

    private static final long NONE = Long.MIN_VALUE;

    private final Connection connection;
    private final EventLoop loop;
    private final LiveWrapper wrapper;
    private final ConnectionLog log;
    private final InetAddress client;
    /** The PROXY header written first on every backend connection ({@code sendProxy}). */
    private final Optional<byte[]> proxyHeader;
    private final List<LiveBackend> tried = new ArrayList<>(2);
    private State state = State.NONE;
    private Optional<LiveBackend> backend = Optional.empty();
    private Peer peer;
    private int attempts;
    /** Whether {@link #backend}'s connection slot is taken by this connection. */
    private boolean holdsSlot;
    /** Whether the connected backend broke the protocol: its connection then does not count as served. */
    private boolean faulted;
    private long deadline = NONE;
    private long connectStarted;
    /** Whether the current connection was kept idle by an earlier client rather than made for this one. */
    private boolean reused;

    BackendLink(Connection connection, EventLoop loop, LiveWrapper wrapper, ConnectionLog log, InetAddress client,
            Optional<byte[]> proxyHeader) {
        this.connection = connection;
        this.loop = loop;
        this.wrapper = wrapper;
        this.log = log;
        this.client = client;
        this.proxyHeader = proxyHeader;
    }

    State state() {
        return state;
    }

    boolean is(State s) {
        return state == s;
    }

    /** Whether events from {@code p} are about the current attempt. */
    boolean owns(Peer p) {
        return p != null && p == peer;
    }

    /** The connected backend. */
    Peer peer() {
        return peer;
    }

    /** The backend for logs: its configured name, the program, or {@code -}. */
    String describe() {
        return backend.map(LiveBackend::name).orElseGet(() -> peer == null ? "-" : peer.describe());
    }

    /** Starts connecting to the next candidate. */
    void connect() {
        WrapperConfig config = wrapper.config();
        if (config.destination().type() == DestType.PIPE) {
            startProgram(config);
            return;
        }
        // a connection that outlived a reload chooses among the backends the wrapper has now
        BackendPool pool = wrapper.newest().pool().orElseGet(() -> wrapper.pool().orElseThrow());
        Optional<LiveBackend> next = attempts < config.destination().connectAttempts()
                ? pool.choose(tried, client, loop.now())
                : Optional.empty();
        if (next.isEmpty()) {
            giveUp();
            return;
        }
        attempts++;
        tried.add(next.get());
        backend = next;
        holdsSlot = true;
        faulted = false;
        state = State.CONNECTING;
        connectStarted = loop.now();
        deadline = config.timeouts().connect().isZero() ? NONE : loop.now() + config.timeouts().connect().toNanos();
        reused = false;
        Optional<Peer> idle = reusesIdle() ? loop.idleServers().take(next.get(), wrapper, connection) : Optional.empty();
        if (idle.isPresent()) {
            reused = true;
            peer = idle.get();
            Peer taken = peer;
            loop.execute(() -> connection.connected(taken));
            return;
        }
        resolveAndDial(next.get());
    }

    /**
     * Whether backend connections of this wrapper may serve more than one client: not with a PROXY
     * header naming the first, nor for a server that speaks first (its greeting went to the first).
     */
    private boolean reusesIdle() {
        return proxyHeader.isEmpty() && !wrapper.config().timeouts().serverKeepAlive().isZero()
                && !wrapper.validator().serverSpeaksFirst();
    }

    /** Whether the current connection was kept idle by an earlier client. */
    boolean reused() {
        return reused;
    }

    private void resolveAndDial(LiveBackend chosen) {
        int attempt = attempts;
        HostResolution.resolve(chosen.host(), loop,
                address -> connection.step(() -> {
                    if (attempt == attempts && state == State.CONNECTING) {
                        dial(chosen, address);
                    }
                }),
                reason -> connection.step(() -> {
                    if (attempt == attempts && state == State.CONNECTING) {
                        failed(reason);
                    }
                }));
    }

    private void dial(LiveBackend chosen, InetAddress address) {
        try {
            InetSocketAddress target = new InetSocketAddress(address, chosen.port());
            peer = wrapper.backendTls().isPresent()
                    ? TlsPeer.client(loop, wrapper.backendTls().get().newEngine(chosen.host(), chosen.port()), connection,
                            events -> SocketPeer.connect(loop, target, headerFirst(events)))
                    : SocketPeer.connect(loop, target, headerFirst(connection));
        } catch (IOException e) {
            if (FileDescriptors.exhausted(e)) {
                cannotConnectHere(message(e));
            } else {
                failed(message(e));
            }
        }
    }

    private PeerEvents headerFirst(PeerEvents events) {
        return proxyHeader.<PeerEvents>map(header -> new HeaderFirst(events, header)).orElse(events);
    }

    /**
     * This process could not open a socket (out of file descriptors): nothing is known of the
     * backend, so its health is left alone, and no other candidate would fare better.
     */
    private void cannotConnectHere(String reason) {
        log.backendFailed(describe(), "cannot open a socket here, not counted against the backend: " + reason);
        releaseSlot();
        state = State.NONE;
        giveUp();
    }

    /** The program is started once per connection; if it cannot be, there is no backend. */
    private void startProgram(WrapperConfig config) {
        if (attempts > 0) {
            giveUp();
            return;
        }
        attempts++;
        try {
            peer = ProcessPeer.start(loop, connection, config.destination().command(), wrapper.name(), connection.id());
            state = State.CONNECTING;
            Peer started = peer;
            loop.execute(() -> connection.connected(started));
        } catch (IOException e) {
            log.backendFailed(String.join(" ", config.destination().command()), "cannot start: " + message(e));
            giveUp();
        }
    }

    /** The attempt succeeded. */
    void established() {
        state = State.CONNECTED;
        deadline = NONE;
        if (reused) {
            backend.ifPresent(b -> b.metrics().reused());
            log.reusedConnection(describe());
        } else {
            backend.ifPresent(b -> b.metrics().connected(System.nanoTime() - connectStarted));
            log.connected(describe());
        }
    }

    /**
     * The attempt failed before anything of the client's reached the backend: logs why, counts it
     * against the backend's health, and tries the next candidate.
     */
    void failed(String reason) {
        log.backendFailed(describe(), reason);
        backend.ifPresent(b -> b.metrics().connectFailed());
        if (peer != null) {
            peer.abort();
            peer = null;
        }
        releaseSlot();
        backend.ifPresent(b -> b.health().failed("connect: " + reason));
        state = State.NONE;
        connect();
    }

    /** The connected backend broke the protocol: counted against its health. The connection goes on as the session decides. */
    void protocolError(String reason) {
        if (state == State.CONNECTED) {
            faulted = true;
            backend.ifPresent(b -> b.health().failed("protocol error: " + reason));
        }
    }

    /** The connected backend owed an answer and stayed silent: counted against its health. */
    void timedOut(String reason) {
        if (state == State.CONNECTED) {
            faulted = true;
            backend.ifPresent(b -> b.health().failed(reason));
        }
    }

    /** The server's first byte on this connection came {@code nanos} after the first byte sent to it (or after connecting). */
    void firstByte(long nanos) {
        backend.ifPresent(b -> b.metrics().firstByte(nanos));
    }

    /** The backend chosen for the current or last attempt, by its configured name. */
    Optional<String> chosen() {
        return backend.map(LiveBackend::name);
    }

    /** Gives up an attempt that did not finish in the connect timeout. */
    void checkDeadline(long now) {
        if (state == State.CONNECTING && deadline != NONE && now - deadline >= 0) {
            failed("no answer within " + DurationText.of(wrapper.config().timeouts().connect()));
        }
    }

    private void giveUp() {
        state = State.NONE;
        backend = Optional.empty();
        wrapper.pool().ifPresent(pool -> log.noBackend(attempts, pool.unavailable(tried, loop.now())));
        connection.noBackend();
    }

    /** Resets the backend connection (SO_LINGER 0); a later {@link #connect} starts over. */
    void abort() {
        release(true);
        state = State.GONE;
        tried.clear();
        attempts = 0;
    }

    /** Closes the backend connection, if any. */
    void close() {
        release(false);
    }

    /**
     * Closes the backend connection, or, when the session left it idle ({@code idle}, since
     * {@code idleSince}) and the wrapper reuses connections, keeps it for a later client of this
     * wrapper until it has been idle for {@code serverKeepAlive}.
     */
    void closeKeepingIdle(boolean idle, long idleSince) {
        long until = idleSince + wrapper.config().timeouts().serverKeepAlive().toNanos();
        boolean keep = idle && state == State.CONNECTED && !faulted && backend.isPresent() && reusesIdle();
        if (keep && until - loop.now() > 0) {
            loop.idleServers().keep(peer, backend.get(), wrapper, until);
            peer = null;
        }
        release(false);
    }

    private void release(boolean abortive) {
        if (peer != null && abortive) {
            peer.abort();
            peer = null;
        } else if (peer != null) {
            peer.close();
        }
        if (state == State.CONNECTED && !faulted) {
            backend.ifPresent(b -> b.health().served());
        }
        releaseSlot();
        state = state == State.CONNECTED || state == State.CONNECTING ? State.NONE : state;
    }

    /** Gives back the backend's connection slot taken when it was chosen, once. */
    private void releaseSlot() {
        if (holdsSlot) {
            holdsSlot = false;
            backend.ifPresent(LiveBackend::release);
        }
    }

    private static String message(IOException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}

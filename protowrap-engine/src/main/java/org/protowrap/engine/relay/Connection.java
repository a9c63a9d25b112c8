package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.protowrap.api.Decisions;
import org.protowrap.api.Refusal;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;
import org.protowrap.engine.config.DestType;
import org.protowrap.engine.config.Timeouts;
import org.protowrap.engine.logging.LogLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection and its backend, driven by one {@link EventLoop}: reads from either
 * side, hands client bytes (and, with {@code testReply}, server bytes) to the validator session,
 * carries out its decisions, and relays the rest.
 *
 * <p>Every event ends in {@link #settle}, the one place that propagates half-closes, decides
 * whether the connection is over, and sets what each side is read or written for. A side is read
 * only while the queue it feeds is empty (client reads also wait for the client's own queue while
 * a validator may answer it): that is the backpressure, and it bounds what a connection holds to
 * about one read and one validator unit per direction.
 *
 * <p>The request timeout ends at the first byte sent to the server, whichever call sends it; for a
 * server-first protocol that is normally the client's first accepted unit.
 */
final class Connection implements PeerEvents {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final AtomicLong ids = new AtomicLong();
    private static final long NONE = Long.MIN_VALUE;

    /** Where the connection is in its life. */
    enum Phase {
        /** Server-first: waiting for a backend before the session starts. */
        STARTING,
        /** Relaying. */
        OPEN,
        /** Ending: nothing more is read; what is queued is still written. */
        CLOSING,
        CLOSED
    }

    /** Whether the session still sees the bytes. */
    enum Inspection { VALIDATING, RAW }

    /** The backend side. */
    enum ServerLink {
        NONE,
        CONNECTING,
        CONNECTED,
        /** Aborted by the session; a later send connects anew. */
        GONE
    }

    private final long id = ids.incrementAndGet();
    private final EventLoop loop;
    private final LiveWrapper wrapper;
    private final InetSocketAddress clientAddress;
    private final ValidatorSession session;
    private final Decisions decisions = new SessionDecisions();
    private final PendingBytes toServer = new PendingBytes();
    private final PendingBytes toClient = new PendingBytes();
    private final Set<LiveBackend> tried = new HashSet<>(4);
    private final long started;

    private Peer client;
    private Peer server;
    private Optional<LiveBackend> backend = Optional.empty();
    private Phase phase = Phase.OPEN;
    private Inspection inspection = Inspection.VALIDATING;
    private ServerLink link = ServerLink.NONE;
    private boolean clientEnded;
    private boolean serverEnded;
    private boolean clientOutputShut;
    private boolean serverOutputShut;
    private int attempts;
    private long bytesUp;
    private long bytesDown;
    private long lastActivity;
    private long connectDeadline = NONE;
    private long requestDeadline = NONE;
    private long sessionDeadline = NONE;
    private String outcome = "closed";
    private Optional<String> enforcedRule = Optional.empty();

    /** How the client side is made once the connection exists to receive its events. */
    @FunctionalInterface
    interface ClientSide {
        Peer open(PeerEvents events) throws IOException;
    }

    private Connection(EventLoop loop, LiveWrapper wrapper, InetSocketAddress clientAddress) {
        this.loop = loop;
        this.wrapper = wrapper;
        this.clientAddress = clientAddress;
        this.started = loop.now();
        this.lastActivity = started;
        this.session = wrapper.validator().newSession(new SessionInfo(wrapper.name(), clientAddress, id));
    }

    /**
     * Starts serving a client already admitted by {@link LiveWrapper#admit}. On the loop's thread.
     */
    static void start(EventLoop loop, LiveWrapper wrapper, InetSocketAddress clientAddress, ClientSide side) {
        Connection connection = new Connection(loop, wrapper, clientAddress);
        try {
            connection.client = side.open(connection);
        } catch (IOException e) {
            wrapper.release(clientAddress.getAddress());
            log.info("wrapper={} conn={} client={} outcome=client-reset ({})", wrapper.name(), connection.id,
                    AddressText.of(clientAddress), e.getMessage());
            return;
        }
        loop.add(connection);
        connection.guard(connection::begin);
    }

    private void begin() {
        Timeouts timeouts = wrapper.config().timeouts();
        requestDeadline = deadline(timeouts.request().toNanos());
        sessionDeadline = deadline(timeouts.session().toNanos());
        if (wrapper.validator().serverSpeaksFirst()) {
            phase = Phase.STARTING;
            connectNext();
        } else {
            session.onStart(decisions);
        }
    }

    private long deadline(long nanos) {
        return nanos == 0 ? NONE : started + nanos;
    }

    // ---- events

    @Override
    public void readable(Peer peer) {
        guard(() -> {
            if (peer == client) {
                readClient();
            } else if (peer == server) {
                readServer();
            }
        });
    }

    @Override
    public void writable(Peer peer) {
        guard(() -> {
            if (peer == client) {
                flushToClient();
            } else if (peer == server) {
                flushToServer();
            }
        });
    }

    @Override
    public void connected(Peer peer) {
        guard(() -> {
            if (peer == server && link == ServerLink.CONNECTING) {
                serverConnected();
            }
        });
    }

    @Override
    public void connectFailed(Peer peer, IOException cause) {
        guard(() -> {
            if (peer == server && link == ServerLink.CONNECTING) {
                connectFailed(cause.getMessage() == null ? cause.toString() : cause.getMessage());
            }
        });
    }

    /** Checks the deadlines; called by the loop every tick. */
    void tick(long now) {
        guard(() -> {
            if (link == ServerLink.CONNECTING && connectDeadline != NONE && now - connectDeadline >= 0) {
                connectFailed("no answer within " + wrapper.config().timeouts().connect());
            } else if (requestDeadline != NONE && now - requestDeadline >= 0) {
                timeout("request");
            } else if (!wrapper.config().timeouts().idle().isZero()
                    && now - lastActivity >= wrapper.config().timeouts().idle().toNanos()) {
                timeout("idle");
            } else if (sessionDeadline != NONE && now - sessionDeadline >= 0) {
                timeout("session");
            }
        });
    }

    /** Ends the connection now, whatever it is doing. */
    void cut(String why) {
        if (phase != Phase.CLOSED) {
            finish(why);
        }
    }

    /** Bytes queued in both directions. */
    long pendingBytes() {
        return (long) toServer.size() + toClient.size();
    }

    private void guard(Runnable step) {
        if (phase == Phase.CLOSED) {
            return;
        }
        try {
            step.run();
            settle();
        } catch (RuntimeException e) {
            log.error("wrapper={} conn={} client={}: internal error", wrapper.name(), id, AddressText.of(clientAddress),
                    e);
            finish("error");
        }
    }

    // ---- reading

    private void readClient() {
        ByteBuffer data = loop.readBuffer();
        int n;
        try {
            n = client.read(data);
        } catch (IOException e) {
            finish("client-reset");
            return;
        }
        if (n < 0) {
            clientEnded();
        } else if (n > 0) {
            data.flip();
            lastActivity = loop.now();
            dump("client>", data);
            if (inspection == Inspection.RAW) {
                sendToServer(data);
            } else {
                session.onClientData(data, decisions);
            }
        }
    }

    private void readServer() {
        ByteBuffer data = loop.readBuffer();
        int n;
        try {
            n = server.read(data);
        } catch (IOException e) {
            finish("server-reset");
            return;
        }
        if (n < 0) {
            serverEnded();
        } else if (n > 0) {
            data.flip();
            lastActivity = loop.now();
            dump("server>", data);
            if (inspection == Inspection.VALIDATING && wrapper.config().testReply()) {
                session.onServerData(data, decisions);
            } else {
                sendToClient(data);
            }
        }
    }

    private void clientEnded() {
        clientEnded = true;
        if (inspection == Inspection.VALIDATING && phase == Phase.OPEN) {
            session.onClientEnd(decisions);
        }
    }

    private void serverEnded() {
        serverEnded = true;
        if (inspection == Inspection.VALIDATING && wrapper.config().testReply() && phase == Phase.OPEN) {
            session.onServerEnd(decisions);
        }
    }

    // ---- writing

    private void sendToServer(ByteBuffer bytes) {
        if (phase == Phase.CLOSING || phase == Phase.CLOSED || !bytes.hasRemaining()) {
            return;
        }
        requestDeadline = NONE;
        dump(">server", bytes);
        switch (link) {
            case NONE, GONE -> {
                toServer.append(bytes);
                connectNext();
            }
            case CONNECTING -> toServer.append(bytes);
            case CONNECTED -> bytesUp += send(server, toServer, bytes, "server-reset");
        }
    }

    private void sendToClient(ByteBuffer bytes) {
        if (phase == Phase.CLOSED || !bytes.hasRemaining()) {
            return;
        }
        dump(">client", bytes);
        bytesDown += send(client, toClient, bytes, "client-reset");
    }

    /**
     * Writes at once what the peer takes, if nothing is queued before it; queues the rest.
     * Returns the count written.
     */
    private int send(Peer peer, PendingBytes queue, ByteBuffer bytes, String failure) {
        int written = 0;
        if (queue.isEmpty()) {
            try {
                while (bytes.hasRemaining()) {
                    int n = peer.write(bytes);
                    if (n == 0) {
                        break;
                    }
                    written += n;
                }
            } catch (IOException e) {
                finish(failure);
                return written;
            }
        }
        if (written > 0) {
            lastActivity = loop.now();
        }
        if (bytes.hasRemaining()) {
            queue.append(bytes);
        }
        return written;
    }

    private void flushToServer() {
        bytesUp += flush(server, toServer, "server-reset");
    }

    private void flushToClient() {
        bytesDown += flush(client, toClient, "client-reset");
    }

    private int flush(Peer peer, PendingBytes queue, String failure) {
        try {
            int written = queue.flushTo(peer);
            if (written > 0) {
                lastActivity = loop.now();
            }
            return written;
        } catch (IOException e) {
            finish(failure);
            return 0;
        }
    }

    // ---- the backend

    private void connectNext() {
        if (wrapper.config().destType() == DestType.PIPE) {
            startProgram();
            return;
        }
        Optional<LiveBackend> next = attempts < wrapper.config().connectAttempts()
                ? wrapper.pool().orElseThrow().choose(tried, clientAddress.getAddress())
                : Optional.empty();
        if (next.isEmpty()) {
            noBackend();
            return;
        }
        LiveBackend chosen = next.get();
        attempts++;
        tried.add(chosen);
        backend = next;
        link = ServerLink.CONNECTING;
        connectDeadline = wrapper.config().timeouts().connect().isZero() ? NONE
                : loop.now() + wrapper.config().timeouts().connect().toNanos();
        resolveAndDial(chosen);
    }

    /** IP literals are dialled at once; names are resolved on a virtual thread, never on the loop. */
    private void resolveAndDial(LiveBackend chosen) {
        String host = chosen.host();
        if (host.indexOf(':') >= 0 || host.matches("[0-9.]+")) {
            dial(chosen, InetAddress.ofLiteral(host));
            return;
        }
        int attempt = attempts;
        Thread.ofVirtual().start(() -> {
            try {
                InetAddress address = InetAddress.getByName(host);
                loop.execute(() -> guard(() -> {
                    if (attempt == attempts && link == ServerLink.CONNECTING) {
                        dial(chosen, address);
                    }
                }));
            } catch (IOException e) {
                loop.execute(() -> guard(() -> {
                    if (attempt == attempts && link == ServerLink.CONNECTING) {
                        connectFailed("cannot resolve " + host);
                    }
                }));
            }
        });
    }

    private void dial(LiveBackend chosen, InetAddress address) {
        try {
            server = SocketPeer.connect(loop, new InetSocketAddress(address, chosen.port()), this);
        } catch (IOException e) {
            connectFailed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void startProgram() {
        if (attempts > 0) {
            noBackend();
            return;
        }
        attempts++;
        try {
            server = ProcessPeer.start(loop, this, wrapper.config().destCommand(), wrapper.name(), id);
            link = ServerLink.CONNECTING;
            serverConnected();
        } catch (IOException e) {
            log.warn("wrapper={} conn={} cannot start {}: {}", wrapper.name(), id, wrapper.config().destCommand(),
                    e.getMessage());
            noBackend();
        }
    }

    private void serverConnected() {
        link = ServerLink.CONNECTED;
        connectDeadline = NONE;
        serverEnded = false;
        serverOutputShut = false;
        backend.ifPresent(LiveBackend::opened);
        log.debug("wrapper={} conn={} connected to {}", wrapper.name(), id, server.describe());
        if (phase == Phase.STARTING) {
            phase = Phase.OPEN;
            session.onStart(decisions);
        }
        flushToServer();
    }

    private void connectFailed(String reason) {
        log.warn("wrapper={} conn={} backend={} failed: {}", wrapper.name(), id,
                backend.map(LiveBackend::name).orElse("-"), reason);
        if (server != null) {
            server.abort();
            server = null;
        }
        link = ServerLink.NONE;
        connectNext();
    }

    private void noBackend() {
        link = ServerLink.NONE;
        backend = Optional.empty();
        toServer.clear();
        refuse(Refusal.NO_BACKEND, "no-backend");
    }

    private void dropServer() {
        if (server != null) {
            server.abort();
            server = null;
        }
        if (link == ServerLink.CONNECTED) {
            backend.ifPresent(LiveBackend::closed);
        }
        link = ServerLink.GONE;
        toServer.clear();
        tried.clear();
        attempts = 0;
    }

    // ---- ending

    private void refuse(Refusal reason, String why) {
        outcome = why;
        wrapper.validator().refusal(reason).ifPresent(bytes -> sendToClient(ByteBuffer.wrap(bytes)));
        phase = phase == Phase.CLOSED ? phase : Phase.CLOSING;
    }

    private void timeout(String which) {
        outcome = "timeout:" + which;
        if (phase != Phase.CLOSING && toClient.isEmpty()) {
            wrapper.validator().refusal(Refusal.TIMEOUT).ifPresent(bytes -> {
                try {
                    client.write(ByteBuffer.wrap(bytes));
                } catch (IOException e) {
                    // the client is gone already; it is being closed anyway
                }
            });
        }
        finish(outcome);
    }

    /** After every event: half-closes, the end of the connection, and what to wait for next. */
    private void settle() {
        if (phase == Phase.CLOSED) {
            return;
        }
        propagateEnds();
        if (phase != Phase.CLOSED && isDone()) {
            finish(outcome);
        }
        if (phase != Phase.CLOSED) {
            updateInterest();
        }
    }

    private void propagateEnds() {
        if (phase != Phase.OPEN) {
            return;
        }
        if (clientEnded && !serverOutputShut && toServer.isEmpty() && link != ServerLink.CONNECTING) {
            serverOutputShut = true;
            if (link == ServerLink.CONNECTED) {
                shutdownOutput(server, "server-reset");
            }
        }
        if (serverEnded && link == ServerLink.CONNECTED && !clientOutputShut && toClient.isEmpty()) {
            clientOutputShut = true;
            shutdownOutput(client, "client-reset");
        }
    }

    private void shutdownOutput(Peer peer, String failure) {
        try {
            peer.shutdownOutput();
        } catch (IOException e) {
            finish(failure);
        }
    }

    private boolean isDone() {
        return switch (phase) {
            case CLOSING -> toClient.isEmpty() && (toServer.isEmpty() || link != ServerLink.CONNECTED);
            case OPEN -> {
                boolean upstreamDone = clientEnded && serverOutputShut;
                boolean downstreamDone = toClient.isEmpty() && switch (link) {
                    case CONNECTED -> serverEnded && clientOutputShut;
                    case CONNECTING -> false;
                    case NONE, GONE -> true;
                };
                yield upstreamDone && downstreamDone;
            }
            case STARTING, CLOSED -> false;
        };
    }

    private void updateInterest() {
        boolean open = phase == Phase.OPEN;
        boolean clientRead = open && !clientEnded && toServer.isEmpty()
                && (inspection == Inspection.RAW || toClient.isEmpty());
        client.interest(clientRead, !toClient.isEmpty());
        if (server != null && link == ServerLink.CONNECTED) {
            server.interest(open && !serverEnded && toClient.isEmpty(), !toServer.isEmpty());
        }
    }

    private void finish(String why) {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        outcome = why;
        client.close();
        if (server != null) {
            server.close();
        }
        if (link == ServerLink.CONNECTED) {
            backend.ifPresent(LiveBackend::closed);
        }
        toServer.clear();
        toClient.clear();
        wrapper.release(clientAddress.getAddress());
        loop.remove(this);
        String target = backend.map(LiveBackend::name)
                .orElse(server == null ? "-" : server.describe());
        log.info("wrapper={} conn={} client={} backend={} up={} down={} duration={}ms outcome={}", wrapper.name(), id,
                AddressText.of(clientAddress), target, bytesUp, bytesDown, (System.nanoTime() - started) / 1_000_000L, outcome);
    }

    private void dump(String direction, ByteBuffer bytes) {
        if (LogLevel.atLeast(5) && log.isTraceEnabled()) {
            log.trace("wrapper={} conn={} {} {} bytes: {}", wrapper.name(), id, direction, bytes.remaining(),
                    ByteDump.escaped(bytes));
        }
    }

    /** The session's decisions, carried out on this connection. */
    private final class SessionDecisions implements Decisions {

        @Override
        public void sendToServer(ByteBuffer bytes) {
            Connection.this.sendToServer(bytes);
            bytes.position(bytes.limit());
        }

        @Override
        public void sendToClient(ByteBuffer bytes) {
            if (phase != Phase.CLOSING) {
                Connection.this.sendToClient(bytes);
            }
            bytes.position(bytes.limit());
        }

        @Override
        public void report(Violation v) {
            log.warn("wrapper={} conn={} client={} rule={} action={} detail=\"{}\" excerpt=\"{}\"", wrapper.name(), id,
                    AddressText.of(clientAddress), v.rule(), v.mode() == RuleMode.ENFORCE ? "enforce" : "log", v.detail(),
                    v.excerpt());
            if (v.mode() == RuleMode.ENFORCE) {
                enforcedRule = Optional.of(v.rule());
            }
        }

        @Override
        public void abortServer() {
            if (phase != Phase.CLOSED) {
                log.info("wrapper={} conn={} backend connection aborted by the validator", wrapper.name(), id);
                dropServer();
            }
        }

        @Override
        public void close() {
            if (phase == Phase.OPEN || phase == Phase.STARTING) {
                outcome = enforcedRule.map(rule -> "rejected:" + rule).orElse("closed-by-validator");
                phase = Phase.CLOSING;
            }
        }

        @Override
        public void relayRaw(String reason) {
            if (inspection == Inspection.VALIDATING) {
                inspection = Inspection.RAW;
                log.info("wrapper={} conn={} relaying raw from now on: {}", wrapper.name(), id, reason);
            }
        }
    }
}

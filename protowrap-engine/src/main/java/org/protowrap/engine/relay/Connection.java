package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.protowrap.api.Refusal;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.ValidatorSession;
import org.protowrap.engine.logging.DurationText;
import org.protowrap.engine.metrics.WrapperMetrics;
import org.protowrap.engine.relay.BackendLink.State;

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

    private static final AtomicLong ids = new AtomicLong();

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

    private final long id = ids.incrementAndGet();
    private final EventLoop loop;
    private final LiveWrapper wrapper;
    private final InetSocketAddress clientAddress;
    private final ConnectionLog log;
    private final SessionDecisions decisions = new SessionDecisions(this);
    private final BackendLink backend;
    private final Deadlines deadlines;
    /** Client to server. */
    private final Direction up;
    /** Server to client. */
    private final Direction down;
    private final long started;

    private Peer client;
    /** Made in {@link #begin}, inside a step: a validator that fails to make one ends only this connection. */
    private ValidatorSession session;
    private Phase phase = Phase.OPEN;
    private Inspection inspection = Inspection.VALIDATING;
    /** The session asked for TLS with the client: it starts once what is queued for the client is written. */
    private boolean startTlsDue;
    /** Whether the session was asked to end the connection at its next boundary. */
    private boolean draining;
    /** When the current backend connection was made or first sent a byte, for the time to its first byte. */
    private long firstSentToServer;
    /** Bytes read from the current backend connection: none means it may still be replaced unnoticed. */
    private long bytesFromServer;
    /**
     * The session said the backend connection could serve another client, and nothing went to or
     * came from the server since: when the client's connection ends, it is kept for a later one.
     */
    private boolean serverIdle;
    /** When the session last said so: the backend connection's idle time counts from then. */
    private long serverIdleSince;
    private String outcome = "closed";
    private Optional<String> enforcedRule = Optional.empty();
    private final TrafficFacts facts = new TrafficFacts();
    /** Exchanges completed, and where the current one began: its start, and the bytes each way then. */
    private int exchanges;
    private long exchangeStarted = -1;
    private long exchangeUp;
    private long exchangeDown;

    /** How the client side is made once the connection exists to receive its events. */
    @FunctionalInterface
    interface ClientSide {
        Peer open(PeerEvents events) throws IOException;
    }

    private Connection(EventLoop loop, LiveWrapper wrapper, InetSocketAddress clientAddress, InetSocketAddress server) {
        this.loop = loop;
        this.wrapper = wrapper;
        this.clientAddress = clientAddress;
        this.started = loop.now();
        this.log = new ConnectionLog(wrapper.name(), id, clientAddress);
        this.backend = new BackendLink(this, loop, wrapper, log, clientAddress.getAddress(),
                wrapper.config().edge().sendProxy().map(v -> ProxyHeader.of(v, clientAddress, server)));
        this.deadlines = new Deadlines(wrapper.config().timeouts(), started);
        this.up = new Direction(wrapper.metrics().upstreamBytes());
        this.down = new Direction(wrapper.metrics().downstreamBytes());
    }

    /** Starts serving a client already admitted by {@link LiveWrapper#admit}, on an unknown local address. */
    static void start(EventLoop loop, LiveWrapper wrapper, InetSocketAddress clientAddress, ClientSide side) {
        start(loop, wrapper, clientAddress, new InetSocketAddress(clientAddress.getAddress() instanceof Inet4Address
                ? "0.0.0.0" : "::", wrapper.config().listen().port()), side);
    }

    /**
     * Starts serving a client already admitted by {@link LiveWrapper#admit}. On the loop's thread.
     *
     * @param clientAddress the client: the socket's peer, or the address its PROXY header names
     * @param server the address the client connected to, as {@code sendProxy} tells the backends
     */
    static void start(EventLoop loop, LiveWrapper wrapper, InetSocketAddress clientAddress, InetSocketAddress server,
            ClientSide side) {
        Connection connection = new Connection(loop, wrapper, clientAddress, server);
        ClientSide tls = wrapper.implicitTls()
                .<ClientSide>map(t -> events -> TlsPeer.server(loop, t.newEngine(), events, side::open))
                .orElse(side);
        try {
            connection.client = tls.open(connection);
        } catch (IOException e) {
            wrapper.release(clientAddress.getAddress());
            connection.log.ended("-", 0, 0, 0, "client-reset", new TrafficFacts());
            return;
        }
        loop.add(connection);
        connection.step(connection::begin);
    }

    private void begin() {
        session = wrapper.validator().newSession(new SessionInfo(wrapper.name(), clientAddress, id));
        if (wrapper.validator().serverSpeaksFirst()) {
            phase = Phase.STARTING;
            backend.connect();
        } else {
            session.onStart(decisions);
        }
    }

    long id() {
        return id;
    }

    ConnectionLog log() {
        return log;
    }

    WrapperMetrics metrics() {
        return wrapper.metrics();
    }

    /** Bytes queued in both directions. */
    long pendingBytes() {
        return (long) up.queued() + down.queued();
    }

    // ---- events, each ending in settle()

    @Override
    public void readable(Peer peer) {
        step(() -> {
            if (peer == client) {
                readClient();
            } else if (backend.owns(peer)) {
                readServer();
            }
        });
    }

    @Override
    public void writable(Peer peer) {
        step(() -> {
            if (peer == client) {
                flush(down, client, "client-reset");
            } else if (backend.owns(peer)) {
                flush(up, peer, "server-reset");
            }
        });
    }

    @Override
    public void connected(Peer peer) {
        step(() -> {
            if (backend.owns(peer) && backend.is(State.CONNECTING)) {
                serverConnected();
            }
        });
    }

    @Override
    public void connectFailed(Peer peer, IOException cause) {
        step(() -> {
            if (backend.owns(peer) && backend.is(State.CONNECTING)) {
                backend.failed(cause.getMessage() == null ? cause.toString() : cause.getMessage());
            }
        });
    }

    /** Checks the deadlines; called by the loop every tick. */
    void tick(long now) {
        step(() -> {
            backend.checkDeadline(now);
            deadlines.expired(now).ifPresent(this::timeout);
        });
    }

    /** Ends the connection at the end of the shutdown grace, with the protocol's refusal where the client can take it. */
    void shutDown() {
        refuseAndFinish(Refusal.SHUTTING_DOWN, "shutdown");
    }

    /**
     * Asks the session to end the connection at the protocol's next boundary (shutdown, or its
     * backend removed by a reload). Once only; not for a connection relayed raw or not started yet,
     * which end at the grace's end.
     */
    void drain() {
        if (!draining && session != null && phase == Phase.OPEN && inspection == Inspection.VALIDATING) {
            draining = true;
            step(() -> session.onDrain(decisions));
        }
    }

    /**
     * A reload removed this connection's backend (or an operator disabled it): the session may
     * move the client to another backend at its next unit, or end the connection as at a drain.
     */
    void backendRemoved() {
        if (!draining && session != null && phase == Phase.OPEN && inspection == Inspection.VALIDATING) {
            step(() -> session.onBackendRemoved(decisions));
        }
    }

    String wrapperName() {
        return wrapper.name();
    }

    /** The backend the connection is connected or connecting to, by its configured name. */
    Optional<String> backendName() {
        return backend.chosen();
    }

    /** Runs one step of the connection on its loop, then settles it. A failing validator ends only this connection. */
    void step(Runnable work) {
        if (phase == Phase.CLOSED) {
            return;
        }
        try {
            work.run();
            settle();
        } catch (RuntimeException e) {
            log.internalError(e);
            serverIdle = false;
            finish("error");
        }
    }

    // ---- reading

    private void readClient() {
        ByteBuffer data = loop.readBuffer();
        int n;
        try {
            n = client.read(data);
        } catch (SSLException e) {
            log.tlsFailed("client", e.getMessage());
            wrapper.metrics().tlsFailed();
            finish("tls-failed");
            return;
        } catch (IOException e) {
            finish("client-reset");
            return;
        }
        if (n < 0) {
            clientEnded();
        } else if (n > 0) {
            data.flip();
            deadlines.activity(loop.now());
            log.dump("client>", data);
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
            n = backend.peer().read(data);
        } catch (IOException e) {
            serverIdle = false;
            if (!replaceSilentBackend("reset before sending anything")) {
                serverReset();
            }
            return;
        }
        if (n != 0) {
            serverIdle = false;
        }
        if (n < 0) {
            if (!replaceSilentBackend("closed before sending anything")) {
                serverEnded();
            }
        } else if (n > 0) {
            if (bytesFromServer == 0) {
                backend.firstByte(loop.now() - firstSentToServer);
            }
            bytesFromServer += n;
            data.flip();
            deadlines.activity(loop.now());
            deadlines.receivedFromServer(loop.now());
            log.dump("server>", data);
            if (serverInspected()) {
                session.onServerData(data, decisions);
            } else {
                sendToClient(data);
            }
        }
    }

    /**
     * The server reset the connection. A session that sees the server is told its side ended, so
     * that it can still answer the client (HTTP's 502 to a request left unanswered); nothing more
     * goes to the server, and the connection ends once the client has what is queued for it.
     */
    private void serverReset() {
        if (phase != Phase.OPEN || !serverInspected()) {
            finish("server-reset");
            return;
        }
        serverEnded();
        up.clear();
        if (phase == Phase.OPEN) {
            outcome = "server-reset";
            phase = Phase.CLOSING;
        }
    }

    private void clientEnded() {
        up.sourceEnded();
        if (inspection == Inspection.VALIDATING && phase == Phase.OPEN) {
            session.onClientEnd(decisions);
        }
    }

    /**
     * A server-first backend that ends before its first byte (a server going away with
     * connections still in its accept queue) is treated as a failed connect, and the next one is
     * tried: the client has seen nothing of it and nothing of the client's reached it.
     *
     * @return whether the backend is being replaced
     */
    private boolean replaceSilentBackend(String reason) {
        boolean unseen = wrapper.validator().serverSpeaksFirst() && bytesFromServer == 0 && up.delivered() == 0
                && inspection == Inspection.VALIDATING;
        if (unseen) {
            backend.failed(reason);
        }
        return unseen;
    }

    /** Whether the session sees the server's bytes. */
    private boolean serverInspected() {
        return inspection == Inspection.VALIDATING && wrapper.config().validation().testReply();
    }

    private void serverEnded() {
        down.sourceEnded();
        if (serverInspected() && phase == Phase.OPEN) {
            session.onServerEnd(decisions);
        }
    }

    // ---- writing, and the session's decisions

    /** Whether a session's decisions still count: not after it closed the connection. */
    boolean acceptsDecisions() {
        return phase == Phase.OPEN || phase == Phase.STARTING;
    }

    void sendToServer(ByteBuffer bytes) {
        sendToServer(bytes, false);
    }

    /** Forwards to the server; {@code credentials} keeps the bytes out of the log below logLevel 5. */
    void sendToServer(ByteBuffer bytes, boolean credentials) {
        if (!acceptsDecisions() || !bytes.hasRemaining()) {
            return;
        }
        serverIdle = false;
        deadlines.sentToServer(loop.now());
        log.toServer(bytes, credentials, inspection == Inspection.RAW);
        switch (backend.state()) {
            case NONE, GONE -> {
                up.hold(bytes);
                backend.connect();
            }
            case CONNECTING -> up.hold(bytes);
            case CONNECTED -> send(up, backend.peer(), bytes, "server-reset");
        }
    }

    void sendToClient(ByteBuffer bytes) {
        if (phase == Phase.CLOSED || !bytes.hasRemaining()) {
            return;
        }
        log.dump(">client", bytes);
        send(down, client, bytes, "client-reset");
    }

    /** The session found the backend's bytes breaking the protocol. */
    void serverFault(String reason) {
        if (backend.reused() && bytesFromServer == 0) {
            // a kept connection the server closed as it was taken: its idle timeout, not a fault
            log.keptConnectionClosed(backend.describe(), reason);
            return;
        }
        log.protocolError(backend.describe(), reason);
        backend.protocolError(reason);
    }

    /** The session found the backend connection idle and fit for another client. */
    void serverIdle() {
        if (acceptsDecisions() && backend.is(State.CONNECTED) && inspection == Inspection.VALIDATING) {
            serverIdle = true;
            serverIdleSince = loop.now();
        }
    }

    /** A fact the session gave about the traffic, for the line logged at the end. */
    void describe(String key, String value) {
        if (log.keepsFacts()) {
            facts.put(key, value);
        }
    }

    /** Whether facts are kept: some line written at the current log settings carries them. */
    boolean describes() {
        return log.keepsFacts();
    }

    /** The session answered the protocol's command to start TLS: handshake once its reply is written. */
    void startTls() {
        if (wrapper.startTls().isEmpty()) {
            throw new IllegalStateException("the validator started TLS on a wrapper without tls mode starttls");
        }
        if (client instanceof TlsPeer) {
            throw new IllegalStateException("the validator started TLS twice");
        }
        startTlsDue = true;
    }

    /** Lays TLS over the plain client socket, now that the reply inviting the handshake is written. */
    private void beginClientTls() {
        startTlsDue = false;
        Peer plain = client;
        try {
            client = TlsPeer.server(loop, wrapper.startTls().orElseThrow().newEngine(), this, events -> {
                plain.retarget(events);
                return plain;
            });
        } catch (IOException e) {
            log.tlsFailed("client", e.getMessage());
            wrapper.metrics().tlsFailed();
            finish("tls-failed");
        }
    }

    void clientUnitStarted() {
        deadlines.unitStarted(loop.now());
        if (exchangeStarted < 0) {
            exchangeStarted = loop.now();
        }
    }

    void exchangeComplete() {
        exchanges++;
        long now = loop.now();
        log.exchange(exchanges, backend.describe(), up.delivered() - exchangeUp, down.delivered() - exchangeDown,
                now - (exchangeStarted < 0 ? started : exchangeStarted), facts);
        exchangeStarted = -1;
        exchangeUp = up.delivered();
        exchangeDown = down.delivered();
    }

    void clientUnitComplete() {
        deadlines.unitComplete();
        wrapper.metrics().unitComplete();
    }

    void awaitingServer(boolean awaiting) {
        deadlines.awaitingServer(awaiting, loop.now());
    }

    void enforced(String rule) {
        enforcedRule = Optional.of(rule);
    }

    void abortServer() {
        if (phase != Phase.CLOSED) {
            log.serverAborted();
            serverIdle = false;
            backend.abort();
            up.clear();
            up.newSink();
            down.newSource();
        }
    }

    void closeRequested() {
        if (acceptsDecisions()) {
            // without a rule enforced, the protocol's own end (Connection: close, QUIT)
            outcome = enforcedRule.map(rule -> "rejected:" + rule).orElse("closed");
            phase = Phase.CLOSING;
        }
    }

    void relayRaw(String reason) {
        if (inspection == Inspection.VALIDATING) {
            inspection = Inspection.RAW;
            serverIdle = false;
            log.relayingRaw(reason);
        }
    }

    /** Sends in one direction; a peer that fails ends the connection with {@code failure}. */
    private void send(Direction direction, Peer sink, ByteBuffer bytes, String failure) {
        try {
            if (direction.send(sink, bytes) > 0) {
                moved(direction);
            }
        } catch (IOException e) {
            finish(failure);
        }
    }

    private void moved(Direction direction) {
        deadlines.activity(loop.now());
        if (direction == up) {
            deadlines.serverTook(loop.now());
        }
    }

    private void flush(Direction direction, Peer sink, String failure) {
        try {
            if (direction.flush(sink) > 0) {
                moved(direction);
            }
        } catch (IOException e) {
            finish(failure);
        }
    }

    // ---- the backend

    private void serverConnected() {
        backend.established();
        bytesFromServer = 0;
        serverIdle = false;
        firstSentToServer = loop.now();
        down.newSource();
        up.newSink();
        if (phase == Phase.STARTING) {
            phase = Phase.OPEN;
            session.onStart(decisions);
        }
        flush(up, backend.peer(), "server-reset");
    }

    /** Every candidate failed: the protocol's refusal, if it has one, then close. */
    void noBackend() {
        up.clear();
        outcome = "no-backend";
        wrapper.validator().refusal(Refusal.NO_BACKEND).ifPresent(bytes -> sendToClient(ByteBuffer.wrap(bytes)));
        if (phase != Phase.CLOSED) {
            phase = Phase.CLOSING;
        }
    }

    // ---- ending

    private void timeout(String which) {
        if (which.equals("server")) {
            String within = DurationText.of(wrapper.config().timeouts().server());
            String reason = deadlines.serverStalled(loop.now()) ? "took no byte within " + within
                    : "no answer within " + within;
            log.serverTimedOut(backend.describe(), reason);
            backend.timedOut(reason);
            refuseAndFinish(Refusal.SERVER_TIMEOUT, "timeout:server");
        } else {
            refuseAndFinish(Refusal.TIMEOUT, "timeout:" + which);
        }
    }

    /**
     * Ends the connection, telling the client why first where it would read the refusal as the
     * protocol's answer: not after the session stopped inspecting (a TLS or WebSocket stream), not
     * behind bytes still queued for it, and not in the middle of what it is being sent; where the
     * server's bytes are relayed unseen, only before the first of them.
     */
    private void refuseAndFinish(Refusal reason, String outcome) {
        if (phase == Phase.CLOSED) {
            return;
        }
        boolean atBoundary = serverInspected() ? sessionBetweenUnits() : down.delivered() == 0;
        if (phase != Phase.CLOSING && inspection == Inspection.VALIDATING && down.isEmpty() && atBoundary) {
            wrapper.validator().refusal(reason).ifPresent(bytes -> {
                try {
                    client.write(ByteBuffer.wrap(bytes));
                } catch (IOException e) {
                    // the client is gone already; it is being closed anyway
                }
            });
        }
        finish(outcome);
    }

    /** The session's {@link ValidatorSession#mayRefuseNow}; a session that fails to answer is taken to say no. */
    private boolean sessionBetweenUnits() {
        try {
            return session == null || session.mayRefuseNow();
        } catch (RuntimeException e) {
            log.internalError(e);
            return false;
        }
    }

    /** After every event: half-closes, the end of the connection, and what to wait for next. */
    private void settle() {
        if (phase == Phase.OPEN) {
            propagateEnds();
            if (startTlsDue && down.isEmpty()) {
                beginClientTls();
            }
        }
        if (phase != Phase.CLOSED && isDone()) {
            finish(outcome);
        }
        if (phase != Phase.CLOSED) {
            updateInterest();
        }
    }

    private void propagateEnds() {
        if (up.endDue() && serverIdle && down.isEmpty()) {
            // the client is done and nothing is owed either way: the connection is over, and its
            // backend connection, which never saw the end, may serve another client
            finish(outcome);
            return;
        }
        if (up.endDue() && !backend.is(State.CONNECTING)) {
            up.endPassed();
            if (backend.is(State.CONNECTED)) {
                shutdownOutput(backend.peer(), "server-reset");
            }
        }
        if (down.endDue() && backend.is(State.CONNECTED)) {
            down.endPassed();
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
            case CLOSING -> down.isEmpty() && (up.isEmpty() || !backend.is(State.CONNECTED));
            case OPEN -> {
                boolean upstreamDone = up.isSourceEnded() && up.isSinkShut();
                boolean downstreamDone = down.isEmpty() && switch (backend.state()) {
                    case CONNECTED -> down.isSourceEnded() && down.isSinkShut();
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
        boolean clientRead = open && !up.isSourceEnded() && up.isEmpty() && !startTlsDue
                && (inspection == Inspection.RAW || down.isEmpty());
        client.interest(clientRead, !down.isEmpty());
        deadlines.serverBacklog(backend.is(State.CONNECTED) && !up.isEmpty(), loop.now());
        if (backend.is(State.CONNECTED)) {
            backend.peer().interest(open && !down.isSourceEnded() && down.isEmpty(), !up.isEmpty());
        }
    }

    private void finish(String why) {
        if (phase == Phase.CLOSED) {
            return;
        }
        phase = Phase.CLOSED;
        client.close();
        backend.closeKeepingIdle(serverIdle && up.isEmpty() && !up.isSinkShut(), serverIdleSince);
        up.clear();
        down.clear();
        wrapper.release(clientAddress.getAddress());
        loop.remove(this);
        log.ended(backend.describe(), up.delivered(), down.delivered(), System.nanoTime() - started, why, facts);
    }
}

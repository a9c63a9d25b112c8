package org.protowrap.testkit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.protowrap.api.Decisions;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;

/**
 * {@link Decisions} as the engine would take them, recorded: the bytes for each side, the
 * reports, the facts, and the control decisions in order ({@code abort}, {@code close},
 * {@code raw}, {@code starttls}); units, exchanges, server faults and the calls about timing are
 * kept apart. Like the engine, it ignores what a session decides after {@link #close()}, and
 * control decisions after {@link #relayRaw}, but counts those so that a test can insist there are
 * none ({@link #ignored()}); bytes sent after {@code relayRaw}, in the call that made it, still
 * count, and so do bytes for the server after {@link #abortServer()}, which the engine sends to a
 * new backend connection.
 *
 * <p>It also hands a session its input as the engine's reads do ({@link #fromClient},
 * {@link #fromServer}): nothing after the session closed, and straight through, unseen, once it
 * relayed raw. Not thread-safe, as a session is not. A test may extend it to watch the calls
 * themselves (the buffers a session passes, their order).
 */
public class RecordingDecisions implements Decisions {

    private final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
    private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
    private final ByteArrayOutputStream credentials = new ByteArrayOutputStream();
    private final List<Violation> reports = new ArrayList<>();
    private final List<String> controls = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();
    private final List<String> serverFaults = new ArrayList<>();
    private final List<String> timing = new ArrayList<>();
    private boolean aborted;
    private boolean closed;
    private String rawReason;
    private boolean unitOpen;
    private boolean awaitingServer;
    private boolean serverIdle;
    private int unitsCompleted;
    private int exchanges;
    private int ignored;

    @Override
    public void sendToServer(ByteBuffer bytes) {
        byte[] copy = drain(bytes);
        if (closed) {
            ignored++;
            return;
        }
        serverIdle &= copy.length == 0;
        toServer.writeBytes(copy);
    }

    /** Forwarded like any bytes, and also recorded apart: the bytes the engine keeps out of its log. */
    @Override
    public void sendCredentialsToServer(ByteBuffer bytes) {
        if (!closed) {
            credentials.writeBytes(copy(bytes));
        }
        sendToServer(bytes);
    }

    @Override
    public void sendToClient(ByteBuffer bytes) {
        byte[] copy = drain(bytes);
        if (closed) {
            ignored++;
            return;
        }
        toClient.writeBytes(copy);
    }

    @Override
    public void report(Violation violation) {
        reports.add(violation);
    }

    @Override
    public void describe(String key, String value) {
        facts.put(key, value);
    }

    @Override
    public void clientUnitStarted() {
        timing.add("unit+");
        unitOpen = true;
    }

    @Override
    public void clientUnitComplete() {
        timing.add("unit-");
        if (unitOpen) {
            unitsCompleted++;
        }
        unitOpen = false;
    }

    @Override
    public void awaitingServer(boolean awaiting) {
        timing.add(awaiting ? "await+" : "await-");
        awaitingServer = awaiting;
    }

    @Override
    public void exchangeComplete() {
        timing.add("exchange");
        exchanges++;
    }

    @Override
    public void serverFault(String reason) {
        serverFaults.add(reason);
    }

    @Override
    public void serverIdle() {
        if (!finished()) {
            serverIdle = true;
        }
    }

    @Override
    public void startTls() {
        control("starttls");
    }

    @Override
    public void abortServer() {
        control("abort");
        aborted = true;
        serverIdle = false;
    }

    @Override
    public void close() {
        control("close");
        if (rawReason == null) {
            closed = true;
        }
    }

    @Override
    public void relayRaw(String reason) {
        control("raw");
        if (!finished()) {
            rawReason = reason;
        }
    }

    private void control(String what) {
        if (finished()) {
            ignored++;
        } else {
            controls.add(what);
        }
    }

    /**
     * One read from the client, handed over as the engine does: to the session in a fresh
     * read-only buffer that starts at a position other than 0; once the session relayed raw,
     * straight to the server without it; once it closed, not at all (the engine reads no more).
     *
     * @throws AssertionError if the session left bytes of the read unconsumed without closing or
     *     relaying raw
     */
    public void fromClient(ValidatorSession session, byte[] read) {
        hand(read, session::onClientData, toServer);
    }

    /** One read from the server, handed over like {@link #fromClient}: once raw, straight to the client. */
    public void fromServer(ValidatorSession session, byte[] read) {
        serverIdle &= read.length == 0;
        hand(read, session::onServerData, toClient);
    }

    private void hand(byte[] read, BiConsumer<ByteBuffer, Decisions> session, ByteArrayOutputStream relayTo) {
        if (rawReason != null) {
            relayTo.writeBytes(read);
        } else if (!closed) {
            ByteBuffer buffer = handed(read);
            session.accept(buffer, this);
            consumed(buffer);
        }
    }

    /** The bytes amid others that are not theirs, from a position other than 0, so that index mistakes show. */
    private static ByteBuffer handed(byte[] read) {
        int pad = 7;
        byte[] backing = new byte[read.length + 2 * pad];
        Arrays.fill(backing, (byte) 'X');
        System.arraycopy(read, 0, backing, pad, read.length);
        return ByteBuffer.wrap(backing, pad, read.length).asReadOnlyBuffer();
    }

    private void consumed(ByteBuffer buffer) {
        if (buffer.hasRemaining() && !finished()) {
            throw new AssertionError("the session left " + buffer.remaining() + " bytes of a read unconsumed");
        }
    }

    private static byte[] copy(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return copy;
    }

    private static byte[] drain(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    /** Every byte sent to the server so far. */
    public byte[] serverBytes() {
        return toServer.toByteArray();
    }

    /** Every byte sent to the client so far. */
    public byte[] clientBytes() {
        return toClient.toByteArray();
    }

    /** The server's bytes as text, one char per byte (ISO-8859-1), so that any byte shows. */
    public String server() {
        return toServer.toString(StandardCharsets.ISO_8859_1);
    }

    /** The client's bytes as text, one char per byte. */
    public String client() {
        return toClient.toString(StandardCharsets.ISO_8859_1);
    }

    /** What went to the server marked as credentials, one char per byte. */
    public String credentialsText() {
        return credentials.toString(StandardCharsets.ISO_8859_1);
    }

    public List<Violation> reports() {
        return List.copyOf(reports);
    }

    public List<String> controls() {
        return List.copyOf(controls);
    }

    /** The facts described, each key with its last value, in the order keys were first described. */
    public Map<String, String> facts() {
        return Map.copyOf(facts);
    }

    /** Why the session blamed the server, in order. */
    public List<String> serverFaults() {
        return List.copyOf(serverFaults);
    }

    /** Whether a client unit was started and not completed. */
    public boolean unitOpen() {
        return unitOpen;
    }

    /** Client units started and then completed. */
    public int unitsCompleted() {
        return unitsCompleted;
    }

    /** Exchanges the session said were complete. */
    public int exchanges() {
        return exchanges;
    }

    /** Whether the session last said the server owes an answer. */
    public boolean awaitingServer() {
        return awaitingServer;
    }

    /** Whether the session closed the connection or handed it to the raw relay. */
    public boolean finished() {
        return closed || rawReason != null;
    }

    /** Whether the session closed the connection (and did not hand it to the raw relay first). */
    public boolean closed() {
        return closed;
    }

    /** Why the session handed the connection to the raw relay, if it did. */
    public Optional<String> rawReason() {
        return Optional.ofNullable(rawReason);
    }

    /**
     * The calls about timing since the last take, in order, and forgets them: {@code unit+} and
     * {@code unit-} for a client unit started and completed, {@code await+} and {@code await-}
     * for {@code awaitingServer(true)} and {@code (false)}, {@code exchange} for an exchange
     * complete.
     */
    public List<String> takeTiming() {
        List<String> taken = List.copyOf(timing);
        timing.clear();
        return taken;
    }

    /**
     * Whether the backend connection is idle as the session last said ({@link #serverIdle()}), with
     * nothing sent to or read from the server since: whether the engine could reuse it.
     */
    public boolean serverIsIdle() {
        return serverIdle;
    }

    /** Whether the session dropped the backend connection at least once. */
    public boolean aborted() {
        return aborted;
    }

    /** Decisions made after the connection was closed, and control decisions after it was relayed raw. */
    public int ignored() {
        return ignored;
    }

    /** Takes what was recorded since the last take (bytes, reports, controls) and starts afresh; states are kept. */
    public Snapshot take() {
        Snapshot s = new Snapshot(server(), client(), List.copyOf(reports), List.copyOf(controls));
        toServer.reset();
        toClient.reset();
        reports.clear();
        controls.clear();
        return s;
    }

    /**
     * What a stretch of a session produced.
     *
     * @param server bytes to the server, one char per byte
     * @param client bytes to the client, one char per byte
     * @param reports the reports, in order
     * @param controls the control decisions, in order
     */
    public record Snapshot(String server, String client, List<Violation> reports, List<String> controls) {}
}

package org.protowrap.validator.pop3;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.protowrap.api.Decisions;
import org.protowrap.api.Violation;

/**
 * Decisions as the engine would take them, recorded: bytes per side, reports, and the control
 * decisions in order. Like the engine, it ignores what comes after {@link #close()} or
 * {@link #relayRaw}, and drops server bytes after {@link #abortServer()}, but counts those so
 * that tests can insist there are none.
 */
final class RecordingDecisions implements Decisions {

    private final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
    private final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
    private final ByteArrayOutputStream credentials = new ByteArrayOutputStream();
    private final List<Violation> reports = new ArrayList<>();
    private final List<String> controls = new ArrayList<>();
    private final Map<String, String> facts = new LinkedHashMap<>();
    private boolean aborted;
    private boolean finished;
    private boolean raw;
    private boolean awaitingServer;
    private boolean unitOpen;
    private int unitsCompleted;
    private int ignored;
    private int tlsStarts;

    /** Forwarded like any bytes; also recorded apart, as the bytes the engine keeps out of the log. */
    @Override
    public void sendCredentialsToServer(ByteBuffer bytes) {
        if (!finished && !aborted) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            credentials.writeBytes(copy);
        }
        sendToServer(bytes);
    }

    /** What went to the server marked as credentials. */
    String credentialsText() {
        return credentials.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void sendToServer(ByteBuffer bytes) {
        byte[] copy = drain(bytes);
        if (finished || aborted) {
            ignored++;
            return;
        }
        toServer.writeBytes(copy);
    }

    @Override
    public void sendToClient(ByteBuffer bytes) {
        byte[] copy = drain(bytes);
        if (finished) {
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
    public void awaitingServer(boolean awaiting) {
        awaitingServer = awaiting;
    }

    /** The latest {@link #awaitingServer} the session told. */
    boolean awaitingServer() {
        return awaitingServer;
    }

    @Override
    public void clientUnitStarted() {
        unitOpen = true;
    }

    @Override
    public void clientUnitComplete() {
        unitOpen = false;
        unitsCompleted++;
    }

    /** Whether a client unit is open (its timeout running). */
    boolean unitOpen() {
        return unitOpen;
    }

    int unitsCompleted() {
        return unitsCompleted;
    }

    @Override
    public void describe(String key, String value) {
        facts.put(key, value);
    }

    /** The facts described so far, the latest value of each key. */
    Map<String, String> facts() {
        return facts;
    }

    @Override
    public void abortServer() {
        control("abort");
        aborted = true;
    }

    @Override
    public void close() {
        control("close");
        finished = true;
    }

    @Override
    public void relayRaw(String reason) {
        control("raw");
        finished = true;
        raw = true;
    }

    /** Recorded as the control {@code starttls}; the session goes on, as it does with the engine. */
    @Override
    public void startTls() {
        control("starttls");
        tlsStarts++;
    }

    /** How many times the session started TLS. */
    int tlsStarts() {
        return tlsStarts;
    }

    /** Whether the session handed the connection over to raw relaying: the engine calls it no more. */
    boolean raw() {
        return raw;
    }

    /** Bytes the engine relays raw, as it does after {@link #relayRaw}. */
    void relayedToServer(byte[] bytes) {
        toServer.writeBytes(bytes);
    }

    /** Bytes the engine relays raw to the client. */
    void relayedToClient(byte[] bytes) {
        toClient.writeBytes(bytes);
    }

    private void control(String what) {
        if (finished) {
            ignored++;
        } else {
            controls.add(what);
        }
    }

    private static byte[] drain(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    byte[] serverBytes() {
        return toServer.toByteArray();
    }

    byte[] clientBytes() {
        return toClient.toByteArray();
    }

    String server() {
        return toServer.toString(StandardCharsets.ISO_8859_1);
    }

    String client() {
        return toClient.toString(StandardCharsets.ISO_8859_1);
    }

    List<Violation> reports() {
        return reports;
    }

    List<String> controls() {
        return controls;
    }

    boolean finished() {
        return finished;
    }

    boolean aborted() {
        return aborted;
    }

    /** Decisions made after the connection was closed, relayed raw, or (server bytes) aborted. */
    int ignored() {
        return ignored;
    }

    /** Takes what was recorded so far and starts afresh (control state is kept). */
    Snapshot take() {
        Snapshot s = new Snapshot(server(), client(), List.copyOf(reports), List.copyOf(controls));
        toServer.reset();
        toClient.reset();
        reports.clear();
        controls.clear();
        return s;
    }

    /** What one step of a session produced. */
    record Snapshot(String server, String client, List<Violation> reports, List<String> controls) {}
}

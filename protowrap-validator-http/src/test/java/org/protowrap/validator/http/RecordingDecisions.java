package org.protowrap.validator.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Violation;

/** Records decisions as the engine would take them: in order, and ignoring those made after close. */
final class RecordingDecisions implements Decisions {

    /** One decision, for tests of ordering. */
    record Event(String kind, byte[] bytes) {
        @Override
        public String toString() {
            return kind + (bytes.length == 0 ? "" : ":" + new String(bytes, StandardCharsets.ISO_8859_1));
        }
    }

    final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
    final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
    final ByteArrayOutputStream credentials = new ByteArrayOutputStream();
    final List<Violation> reports = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    boolean closed;
    boolean aborted;
    String rawReason = "";

    /** Forwarded like any bytes; also recorded apart, as the bytes the engine keeps out of the log. */
    @Override
    public void sendCredentialsToServer(ByteBuffer bytes) {
        if (!closed) {
            byte[] copy = new byte[bytes.remaining()];
            bytes.duplicate().get(copy);
            credentials.writeBytes(copy);
        }
        sendToServer(bytes);
    }

    @Override
    public void sendToServer(ByteBuffer bytes) {
        byte[] copy = drain(bytes);
        if (!closed) {
            toServer.writeBytes(copy);
            events.add(new Event("server", copy));
        }
    }

    @Override
    public void sendToClient(ByteBuffer bytes) {
        byte[] copy = drain(bytes);
        if (!closed) {
            toClient.writeBytes(copy);
            events.add(new Event("client", copy));
        }
    }

    @Override
    public void report(Violation violation) {
        if (!closed) {
            reports.add(violation);
        }
    }

    /** What the session told the engine about timing, in order: unit+, unit-, await+, await-, exchange. */
    final List<String> timing = new ArrayList<>();
    final java.util.Map<String, String> facts = new java.util.LinkedHashMap<>();
    final List<String> serverFaults = new ArrayList<>();

    @Override
    public void clientUnitStarted() {
        timing.add("unit+");
    }

    @Override
    public void clientUnitComplete() {
        timing.add("unit-");
    }

    @Override
    public void awaitingServer(boolean awaiting) {
        timing.add(awaiting ? "await+" : "await-");
    }

    @Override
    public void exchangeComplete() {
        timing.add("exchange");
    }

    @Override
    public void describe(String key, String value) {
        facts.put(key, value);
    }

    @Override
    public void serverFault(String reason) {
        serverFaults.add(reason);
    }

    @Override
    public void abortServer() {
        if (!closed) {
            aborted = true;
            events.add(new Event("abort", new byte[0]));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            events.add(new Event("close", new byte[0]));
        }
        closed = true;
    }

    @Override
    public void relayRaw(String reason) {
        if (!closed) {
            rawReason = reason;
            events.add(new Event("raw", reason.getBytes(StandardCharsets.US_ASCII)));
        }
    }

    boolean isRaw() {
        return !rawReason.isEmpty();
    }

    /** The rules reported as refused, in order. */
    List<String> enforced() {
        return reports.stream().filter(v -> v.mode() == RuleMode.ENFORCE).map(Violation::rule).toList();
    }

    List<String> logged() {
        return reports.stream().filter(v -> v.mode() == RuleMode.LOG).map(Violation::rule).toList();
    }

    String serverText() {
        return toServer.toString(StandardCharsets.ISO_8859_1);
    }

    String clientText() {
        return toClient.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] drain(ByteBuffer bytes) {
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }
}

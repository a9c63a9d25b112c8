package org.protowrap.engine.line;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.protowrap.api.Decisions;
import org.protowrap.api.Violation;

/** Decisions kept in memory, for driving a session without I/O. */
class RecordingDecisions implements Decisions {
    final ByteArrayOutputStream toServer = new ByteArrayOutputStream();
    final ByteArrayOutputStream toClient = new ByteArrayOutputStream();
    final List<Violation> violations = new ArrayList<>();
    boolean closed;

    @Override
    public void sendToServer(ByteBuffer bytes) {
        copy(bytes, toServer);
    }

    @Override
    public void sendToClient(ByteBuffer bytes) {
        copy(bytes, toClient);
    }

    private void copy(ByteBuffer bytes, ByteArrayOutputStream to) {
        if (closed) {
            throw new AssertionError("decision after close");
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.get(b);
        to.writeBytes(b);
    }

    @Override
    public void report(Violation violation) {
        violations.add(violation);
    }

    @Override
    public void abortServer() {
        throw new AssertionError("the line validator never aborts the server");
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void relayRaw(String reason) {
        throw new AssertionError("the line validator never relays raw");
    }

    String server() {
        return toServer.toString(StandardCharsets.ISO_8859_1);
    }
}

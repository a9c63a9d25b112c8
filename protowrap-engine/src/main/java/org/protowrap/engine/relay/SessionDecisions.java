package org.protowrap.engine.relay;

import java.nio.ByteBuffer;
import org.protowrap.api.Decisions;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Violation;

/**
 * A validator session's {@link Decisions}, carried out on its {@link Connection}. Every send
 * consumes the buffer before returning (it is written, or copied into the connection's queue).
 * After {@link #close()}, sends are ignored.
 */
final class SessionDecisions implements Decisions {

    private final Connection connection;

    SessionDecisions(Connection connection) {
        this.connection = connection;
    }

    @Override
    public void sendToServer(ByteBuffer bytes) {
        connection.sendToServer(bytes);
        bytes.position(bytes.limit());
    }

    @Override
    public void sendCredentialsToServer(ByteBuffer bytes) {
        connection.sendToServer(bytes, true);
        bytes.position(bytes.limit());
    }

    @Override
    public void sendToClient(ByteBuffer bytes) {
        if (connection.acceptsDecisions()) {
            connection.sendToClient(bytes);
        }
        bytes.position(bytes.limit());
    }

    @Override
    public void report(Violation violation) {
        connection.log().violation(violation);
        connection.metrics().rule(violation.rule(), violation.mode() == RuleMode.ENFORCE);
        if (violation.mode() == RuleMode.ENFORCE) {
            connection.enforced(violation.rule());
        }
    }

    @Override
    public void describe(String key, String value) {
        connection.describe(key, value);
    }

    @Override
    public void clientUnitStarted() {
        connection.clientUnitStarted();
    }

    @Override
    public void clientUnitComplete() {
        connection.clientUnitComplete();
    }

    @Override
    public void startTls() {
        if (connection.acceptsDecisions()) {
            connection.startTls();
        }
    }

    @Override
    public void exchangeComplete() {
        connection.exchangeComplete();
    }

    @Override
    public void awaitingServer(boolean awaiting) {
        connection.awaitingServer(awaiting);
    }

    @Override
    public void serverFault(String reason) {
        connection.serverFault(reason);
    }

    @Override
    public boolean describes() {
        return connection.describes();
    }

    @Override
    public void serverIdle() {
        connection.serverIdle();
    }

    @Override
    public void abortServer() {
        connection.abortServer();
    }

    @Override
    public void close() {
        connection.closeRequested();
    }

    @Override
    public void relayRaw(String reason) {
        connection.relayRaw(reason);
    }
}

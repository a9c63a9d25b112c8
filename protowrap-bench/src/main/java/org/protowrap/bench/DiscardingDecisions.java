package org.protowrap.bench;

import java.nio.ByteBuffer;
import org.openjdk.jmh.infra.Blackhole;
import org.protowrap.api.Decisions;
import org.protowrap.api.Violation;

/**
 * Decisions that cost what the engine's cheapest path costs: the bytes are consumed (their count
 * goes to the blackhole), nothing is copied. Violations and closes are counted so that a
 * benchmark can check its corpus is accepted.
 */
final class DiscardingDecisions implements Decisions {
    private final Blackhole blackhole;
    long toServer;
    long toClient;
    int violations;
    int closes;

    DiscardingDecisions(Blackhole blackhole) {
        this.blackhole = blackhole;
    }

    @Override
    public void sendToServer(ByteBuffer bytes) {
        toServer += bytes.remaining();
        blackhole.consume(bytes.get(bytes.limit() - 1));
        bytes.position(bytes.limit());
    }

    @Override
    public void sendToClient(ByteBuffer bytes) {
        toClient += bytes.remaining();
        bytes.position(bytes.limit());
    }

    @Override
    public void report(Violation violation) {
        violations++;
    }

    @Override
    public void abortServer() {
        closes++;
    }

    @Override
    public void close() {
        closes++;
    }

    @Override
    public void relayRaw(String reason) {
        blackhole.consume(reason);
    }
}

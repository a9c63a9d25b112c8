package org.protowrap.engine.relay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Set;

/**
 * Access lines as one JSON object each, for log shippers: the engine's fields first, then the
 * validator's facts as fields of their own (a fact named like an engine field is left out, so a
 * plugin cannot hide what the engine says).
 */
final class AccessJson {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> ENGINE_FIELDS = Set.of("time", "event", "wrapper", "conn", "exchange", "client",
            "backend", "up", "down", "durationMs", "outcome");

    private AccessJson() {}

    static String connection(String wrapper, long conn, String client, String backend, long up, long down, long nanos,
            String outcome, TrafficFacts facts) {
        return write("connection", wrapper, conn, 0, client, backend, up, down, nanos, outcome, facts);
    }

    static String exchange(String wrapper, long conn, int number, String client, String backend, long up, long down,
            long nanos, TrafficFacts facts) {
        return write("exchange", wrapper, conn, number, client, backend, up, down, nanos, null, facts);
    }

    private static String write(String event, String wrapper, long conn, int exchange, String client, String backend,
            long up, long down, long nanos, String outcome, TrafficFacts facts) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.now().toString());
            g.writeStringField("event", event);
            g.writeStringField("wrapper", wrapper);
            g.writeNumberField("conn", conn);
            if (exchange > 0) {
                g.writeNumberField("exchange", exchange);
            }
            g.writeStringField("client", client);
            g.writeStringField("backend", backend);
            g.writeNumberField("up", up);
            g.writeNumberField("down", down);
            g.writeNumberField("durationMs", nanos / 1_000_000L);
            if (outcome != null) {
                g.writeStringField("outcome", outcome);
            }
            facts.forEach((key, value) -> {
                if (!ENGINE_FIELDS.contains(key)) {
                    try {
                        g.writeStringField(key, value);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}

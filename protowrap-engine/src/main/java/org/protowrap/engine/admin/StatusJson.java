package org.protowrap.engine.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import org.protowrap.engine.health.BackendHealth;

/** {@code GET /status}: the {@link Status} as JSON, the same for {@code protowrap status} and the status page. */
final class StatusJson {

    private static final JsonFactory JSON = new JsonFactory();

    private StatusJson() {}

    static String write(Status status) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("version", status.version());
            g.writeStringField("started", status.started().toString());
            g.writeBooleanField("ready", status.ready());
            g.writeNumberField("openFds", status.openFds());
            g.writeNumberField("maxFds", status.maxFds());
            g.writeNumberField("heapUsedBytes", status.heapUsed());
            g.writeNumberField("heapMaxBytes", status.heapMax());
            g.writeArrayFieldStart("wrappers");
            for (Status.Wrapper w : status.wrappers()) {
                wrapper(g, w);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString() + "\n";
    }

    private static void wrapper(JsonGenerator g, Status.Wrapper w) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", w.name());
        g.writeStringField("protocol", w.protocol());
        g.writeStringField("listen", w.listen());
        g.writeStringField("state", w.listening() ? "listening" : "stopped");
        g.writeNumberField("activeConnections", w.active());
        g.writeNumberField("accepted", w.counts().accepted());
        g.writeObjectFieldStart("refused");
        for (Map.Entry<String, Long> e : w.counts().refused().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("bytesFromClients", w.counts().bytesFromClients());
        g.writeNumberField("bytesToClients", w.counts().bytesToClients());
        g.writeNumberField("clientUnits", w.counts().units());
        g.writeNumberField("tlsHandshakeFailures", w.counts().tlsFailures());
        g.writeObjectFieldStart("rules");
        for (Map.Entry<String, Map<String, Long>> rule : w.counts().rules().entrySet()) {
            g.writeObjectFieldStart(rule.getKey());
            for (Map.Entry<String, Long> action : rule.getValue().entrySet()) {
                g.writeNumberField(action.getKey(), action.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("backends");
        for (Status.Backend b : w.backends()) {
            backend(g, b);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void backend(JsonGenerator g, Status.Backend b) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", b.name());
        g.writeStringField("state", b.state());
        g.writeStringField("health", b.health());
        g.writeStringField("admin", b.admin());
        g.writeNumberField("weight", b.weight());
        g.writeNumberField("configuredWeight", b.configuredWeight());
        g.writeBooleanField("backup", b.backup());
        g.writeNumberField("activeConnections", b.active());
        g.writeNumberField("connects", b.counts().connects());
        g.writeNumberField("connectFailures", b.counts().connectFailures());
        g.writeNumberField("reuses", b.counts().reuses());
        g.writeNumberField("checksPassed", b.counts().checksPassed());
        g.writeNumberField("checksFailed", b.counts().checksFailed());
        g.writeArrayFieldStart("recentTransitions");
        for (BackendHealth.Transition t : b.transitions()) {
            g.writeStartObject();
            g.writeStringField("at", t.at().toString());
            g.writeStringField("to", t.to().name().toLowerCase(Locale.ROOT));
            g.writeStringField("reason", t.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}

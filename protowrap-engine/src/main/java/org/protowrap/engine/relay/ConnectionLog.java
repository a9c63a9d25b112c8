package org.protowrap.engine.relay;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Violation;
import org.protowrap.api.EscapedText;
import org.protowrap.engine.config.AccessLogFormat;
import org.protowrap.engine.logging.AccessLog;
import org.protowrap.engine.logging.LogLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one connection tells the operator, as {@code key=value} lines that start with the wrapper,
 * the connection id and (where it matters) the client: one WARN line per violation, failed
 * backend or connection without a backend; from logLevel 3 the start of what is sent on to the
 * server, credentials left out; at logLevel 5 every byte at TRACE. Its access lines (one when it
 * ends, one per exchange the validator reports) go to their own logger, {@code org.protowrap.access},
 * as text or JSON.
 */
final class ConnectionLog {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    private static final Logger access = LoggerFactory.getLogger(AccessLog.LOGGER);

    /**
     * Where access lines are put together, one per thread (in practice one per event loop), since
     * a keep-alive connection writes one per request. A line is bounded (its facts are), so what
     * the builder grows to stays small.
     */
    private static final ThreadLocal<StringBuilder> LINE = ThreadLocal.withInitial(() -> new StringBuilder(256));

    private final String wrapper;
    private final long id;
    private final InetSocketAddress clientAddress;
    /** The client as text, made at the first line that names it: an idle connection holds no text. */
    private String client;

    ConnectionLog(String wrapper, long id, InetSocketAddress client) {
        this.wrapper = wrapper;
        this.id = id;
        this.clientAddress = client;
    }

    private String client() {
        String text = client;
        if (text == null) {
            text = AddressText.of(clientAddress);
            client = text;
        }
        return text;
    }

    void violation(Violation v) {
        log.warn("wrapper={} conn={} client={} rule={} action={} detail=\"{}\" excerpt=\"{}\"", wrapper, id, client(),
                v.rule(), v.mode() == RuleMode.ENFORCE ? "enforce" : "log", v.detail(), v.excerpt());
    }

    void backendFailed(String backend, String reason) {
        log.warn("wrapper={} conn={} backend={} failed: {}", wrapper, id, backend, reason);
    }

    void noBackend(int attempts, String why) {
        log.warn("wrapper={} conn={} client={} no backend after {} attempt(s): {}", wrapper, id, client(), attempts,
                why);
    }

    void protocolError(String backend, String reason) {
        log.warn("wrapper={} conn={} backend={} protocol error: {}", wrapper, id, backend, reason);
    }

    void serverTimedOut(String backend, String reason) {
        log.warn("wrapper={} conn={} backend={} timeout: {}", wrapper, id, backend, reason);
    }

    void tlsFailed(String side, String reason) {
        log.warn("wrapper={} conn={} client={} TLS with the {} failed: {}", wrapper, id, client(), side, reason);
    }

    void connected(String backend) {
        log.debug("wrapper={} conn={} connected to {}", wrapper, id, backend);
    }

    void reusedConnection(String backend) {
        log.debug("wrapper={} conn={} took a kept connection to {}", wrapper, id, backend);
    }

    void keptConnectionClosed(String backend, String reason) {
        log.info("wrapper={} conn={} backend={} closed a kept connection as it was taken (not counted against its"
                + " health): {}", wrapper, id, backend, reason);
    }

    void serverAborted() {
        log.info("wrapper={} conn={} backend connection aborted by the validator", wrapper, id);
    }

    void relayingRaw(String reason) {
        log.info("wrapper={} conn={} relaying raw from now on: {}", wrapper, id, reason);
    }

    void internalError(RuntimeException e) {
        log.error("wrapper={} conn={} client={}: internal error", wrapper, id, client(), e);
    }

    /** The connection's access line, its last; {@code facts} is what the validator said it carried. */
    void ended(String backend, long up, long down, long nanos, String outcome, TrafficFacts facts) {
        if (!access.isInfoEnabled()) {
            return;
        }
        if (AccessLog.format() == AccessLogFormat.JSON) {
            access.info(AccessJson.connection(wrapper, id, client(), backend, up, down, nanos, outcome, facts));
        } else {
            StringBuilder line = start();
            line.append(" client=").append(client());
            traffic(line, backend, up, down, nanos).append(" outcome=").append(outcome);
            write(line, facts);
        }
    }

    /** Whether the lines written now carry facts: access lines, at logLevel 2 and above. */
    boolean keepsFacts() {
        return access.isInfoEnabled();
    }

    /** An exchange's access line: its number on the connection, bytes each way and time, and the facts now. */
    void exchange(int number, String backend, long up, long down, long nanos, TrafficFacts facts) {
        if (!access.isInfoEnabled()) {
            return;
        }
        if (AccessLog.format() == AccessLogFormat.JSON) {
            access.info(AccessJson.exchange(wrapper, id, number, client(), backend, up, down, nanos, facts));
        } else {
            StringBuilder line = start();
            line.append(" exchange=").append(number).append(" client=").append(client());
            traffic(line, backend, up, down, nanos);
            write(line, facts);
        }
    }

    /*
     * Access lines are put together by hand rather than by SLF4J's "{}" formatter: they are the
     * only lines written per request, and the formatter's boxing, its argument array and its
     * scan of the pattern doubled what a line allocates (AccessLineBenchmark).
     */

    private StringBuilder start() {
        StringBuilder line = LINE.get();
        line.setLength(0);
        return line.append("wrapper=").append(wrapper).append(" conn=").append(id);
    }

    private static StringBuilder traffic(StringBuilder line, String backend, long up, long down, long nanos) {
        return line.append(" backend=").append(backend).append(" up=").append(up).append(" down=").append(down)
                .append(" duration=").append(nanos / 1_000_000L).append("ms");
    }

    private static void write(StringBuilder line, TrafficFacts facts) {
        facts.appendTo(line);
        access.info(line.toString());
    }

    /**
     * What is sent on to the server: from logLevel 3 the start of each unit the validator accepted
     * ({@value LogLevel#CONTENT_BYTES_AT_3} bytes at 3, {@value LogLevel#CONTENT_BYTES_AT_4} at 4), escaped, but only that bytes
     * went where they carry credentials or are relayed raw (after STARTTLS, a protocol switch); at
     * logLevel 5 everything, whole.
     */
    void toServer(ByteBuffer bytes, boolean credentials, boolean raw) {
        if (LogLevel.atLeast(5)) {
            dump(">server", bytes);
        } else if (LogLevel.atLeast(3) && log.isDebugEnabled()) {
            if (credentials || raw) {
                log.debug("wrapper={} conn={} >server {} bytes: ({}, logged at logLevel 5 only)", wrapper, id,
                        bytes.remaining(), credentials ? "credentials" : "relayed raw");
            } else {
                log.debug("wrapper={} conn={} >server {} bytes: {}", wrapper, id, bytes.remaining(),
                        EscapedText.of(bytes, LogLevel.atLeast(4) ? LogLevel.CONTENT_BYTES_AT_4 : LogLevel.CONTENT_BYTES_AT_3));
            }
        }
    }

    /** At logLevel 5: the bytes, escaped, with their direction ({@code client>}, {@code >server}, ...). */
    void dump(String direction, ByteBuffer bytes) {
        if (LogLevel.atLeast(5) && log.isTraceEnabled()) {
            log.trace("wrapper={} conn={} {} {} bytes: {}", wrapper, id, direction, bytes.remaining(),
                    EscapedText.of(bytes, Integer.MAX_VALUE));
        }
    }
}

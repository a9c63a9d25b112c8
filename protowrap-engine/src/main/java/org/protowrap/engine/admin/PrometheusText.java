package org.protowrap.engine.admin;

import java.util.List;
import org.protowrap.engine.metrics.Histogram;

/**
 * {@code GET /metrics}: the Prometheus text exposition (format 0.0.4), or OpenMetrics 1.0 when the
 * scraper asks for it. Names carry the {@code protowrap_} prefix and base units; counters end in
 * {@code _total}; label values are bounded (wrapper, backend, rule, reason, loop: never a client).
 */
final class PrometheusText {

    private final StringBuilder out = new StringBuilder(8192);
    private final boolean openMetrics;

    private PrometheusText(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    static String write(Status status, boolean openMetrics) {
        PrometheusText text = new PrometheusText(openMetrics);
        text.wrappers(status.wrappers());
        text.backends(status.wrappers());
        text.process(status);
        if (openMetrics) {
            text.out.append("# EOF\n");
        }
        return text.out.toString();
    }

    private void wrappers(List<Status.Wrapper> wrappers) {
        header("protowrap_connections_accepted", "counter", "Connections accepted by a wrapper.");
        wrappers.forEach(w -> sample("protowrap_connections_accepted_total", w.counts().accepted(), "wrapper", w.name()));
        header("protowrap_connections_active", "gauge", "Connections open through a wrapper.");
        wrappers.forEach(w -> sample("protowrap_connections_active", w.active(), "wrapper", w.name()));
        header("protowrap_connections_refused", "counter", "Connections refused before being served, by reason.");
        wrappers.forEach(w -> w.counts().refused().forEach((reason, n) ->
                sample("protowrap_connections_refused_total", n, "wrapper", w.name(), "reason", reason)));
        header("protowrap_listening", "gauge", "1 while a wrapper accepts connections.");
        wrappers.forEach(w -> sample("protowrap_listening", w.listening() ? 1 : 0, "wrapper", w.name()));
        header("protowrap_client_bytes", "counter", "Bytes relayed, from clients (upstream) and to them (downstream).");
        wrappers.forEach(w -> {
            sample("protowrap_client_bytes_total", w.counts().bytesFromClients(), "wrapper", w.name(), "direction", "upstream");
            sample("protowrap_client_bytes_total", w.counts().bytesToClients(), "wrapper", w.name(), "direction", "downstream");
        });
        header("protowrap_client_units", "counter", "Units clients completed: request heads, command lines.");
        wrappers.forEach(w -> sample("protowrap_client_units_total", w.counts().units(), "wrapper", w.name()));
        header("protowrap_rule_reports", "counter", "Rule reports, by rule and action (enforce or log).");
        wrappers.forEach(w -> w.counts().rules().forEach((rule, actions) -> actions.forEach((action, n) ->
                sample("protowrap_rule_reports_total", n, "wrapper", w.name(), "rule", rule, "action", action))));
        header("protowrap_tls_handshake_failures", "counter", "TLS handshakes with clients that failed.");
        wrappers.forEach(w -> sample("protowrap_tls_handshake_failures_total", w.counts().tlsFailures(), "wrapper",
                w.name()));
    }

    private void backends(List<Status.Wrapper> wrappers) {
        header("protowrap_backend_up", "gauge", "1 while a backend is healthy.");
        each(wrappers, (w, b) -> sample("protowrap_backend_up", b.health().equals("up") ? 1 : 0, "wrapper", w, "backend",
                b.name()));
        header("protowrap_backend_state", "gauge", "A backend's state: up, down, drain or disabled (1 for the current).");
        each(wrappers, (w, b) -> {
            for (String state : List.of("up", "down", "drain", "disabled")) {
                sample("protowrap_backend_state", b.state().equals(state) ? 1 : 0, "wrapper", w, "backend", b.name(),
                        "state", state);
            }
        });
        header("protowrap_backend_weight", "gauge", "A backend's weight in force.");
        each(wrappers, (w, b) -> sample("protowrap_backend_weight", b.weight(), "wrapper", w, "backend", b.name()));
        header("protowrap_backend_connections_active", "gauge", "Connections open to a backend.");
        each(wrappers, (w, b) -> sample("protowrap_backend_connections_active", b.active(), "wrapper", w, "backend",
                b.name()));
        header("protowrap_backend_connects", "counter", "Connects to a backend that succeeded.");
        each(wrappers, (w, b) -> sample("protowrap_backend_connects_total", b.counts().connects(), "wrapper", w,
                "backend", b.name()));
        header("protowrap_backend_connect_failures", "counter", "Connects to a backend that failed.");
        each(wrappers, (w, b) -> sample("protowrap_backend_connect_failures_total", b.counts().connectFailures(),
                "wrapper", w, "backend", b.name()));
        header("protowrap_backend_connection_reuses", "counter",
                "Client connections given an idle connection to a backend instead of a new one.");
        each(wrappers, (w, b) -> sample("protowrap_backend_connection_reuses_total", b.counts().reuses(),
                "wrapper", w, "backend", b.name()));
        header("protowrap_backend_checks", "counter", "Active health checks, by result.");
        each(wrappers, (w, b) -> {
            sample("protowrap_backend_checks_total", b.counts().checksPassed(), "wrapper", w, "backend", b.name(),
                    "result", "passed");
            sample("protowrap_backend_checks_total", b.counts().checksFailed(), "wrapper", w, "backend", b.name(),
                    "result", "failed");
            sample("protowrap_backend_checks_total", b.counts().checksSkipped(), "wrapper", w, "backend", b.name(),
                    "result", "skipped");
        });
        header("protowrap_backend_connect_duration_seconds", "histogram", "Time to connect to a backend.");
        each(wrappers, (w, b) -> histogram("protowrap_backend_connect_duration_seconds", b.counts().connectTime(), w,
                b.name()));
        header("protowrap_backend_first_byte_duration_seconds", "histogram",
                "Time from a backend connection to the server's first byte.");
        each(wrappers, (w, b) -> histogram("protowrap_backend_first_byte_duration_seconds", b.counts().firstByteTime(),
                w, b.name()));
    }

    private void process(Status status) {
        header("protowrap_open_fds", "gauge", "File descriptors open in the process.");
        sample("protowrap_open_fds", status.openFds());
        header("protowrap_max_fds", "gauge", "The process's file descriptor limit (ulimit -n).");
        sample("protowrap_max_fds", status.maxFds());
        header("protowrap_heap_used_bytes", "gauge", "Java heap in use.");
        sample("protowrap_heap_used_bytes", status.heapUsed());
        header("protowrap_heap_max_bytes", "gauge", "The Java heap's limit.");
        sample("protowrap_heap_max_bytes", status.heapMax());
        header("protowrap_loop_busy_seconds", "counter", "Time an event loop spent working rather than waiting.");
        status.loopBusyNanos().forEach((loop, nanos) -> sample("protowrap_loop_busy_seconds_total", nanos / 1e9,
                "loop", loop));
        header("protowrap_start_time_seconds", "gauge", "When the process started serving, in Unix time.");
        sample("protowrap_start_time_seconds", status.started().toEpochMilli() / 1000.0);
    }

    private interface BackendSample {
        void write(String wrapper, Status.Backend backend);
    }

    private static void each(List<Status.Wrapper> wrappers, BackendSample sample) {
        wrappers.forEach(w -> w.backends().forEach(b -> sample.write(w.name(), b)));
    }

    private void histogram(String name, Histogram.Snapshot h, String wrapper, String backend) {
        for (int i = 0; i < h.bounds().length; i++) {
            sample(name + "_bucket", h.cumulative()[i], "wrapper", wrapper, "backend", backend, "le",
                    number(h.bounds()[i]));
        }
        sample(name + "_bucket", h.count(), "wrapper", wrapper, "backend", backend, "le", "+Inf");
        sample(name + "_sum", h.sum(), "wrapper", wrapper, "backend", backend);
        sample(name + "_count", h.count(), "wrapper", wrapper, "backend", backend);
    }

    /** {@code # HELP} and {@code # TYPE}; OpenMetrics names a counter without its {@code _total}. */
    private void header(String family, String type, String help) {
        String name = !openMetrics && type.equals("counter") ? family + "_total" : family;
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private void sample(String name, double value, String... labels) {
        out.append(name);
        if (labels.length > 0) {
            out.append('{');
            for (int i = 0; i < labels.length; i += 2) {
                if (i > 0) {
                    out.append(',');
                }
                out.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
            }
            out.append('}');
        }
        out.append(' ').append(number(value)).append('\n');
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}

package org.protowrap.engine.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one wrapper counted since the process started, kept across reloads by the wrapper's name:
 * connections accepted and refused (by reason), bytes each way, rule reports (by rule and action),
 * units the clients completed, and TLS handshakes that failed. Thread-safe; every count is a
 * {@link LongAdder}, cheap to add to from every event loop.
 */
public final class WrapperMetrics {

    /** A rule and what was done about it. */
    record RuleKey(String rule, String action) {}

    final LongAdder accepted = new LongAdder();
    final LongAdder bytesFromClients = new LongAdder();
    final LongAdder bytesToClients = new LongAdder();
    final LongAdder units = new LongAdder();
    final LongAdder tlsFailures = new LongAdder();
    final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
    final Map<RuleKey, LongAdder> rules = new ConcurrentHashMap<>();

    public void accepted() {
        accepted.increment();
    }

    /**
     * A connection refused before it was served, and why: the limit's name as the log says it
     * ({@code maxConnections}, {@code file descriptors}), counted under its label-style name
     * ({@code max_connections}, {@code file_descriptors}).
     */
    public void refused(String reason) {
        refused.computeIfAbsent(label(reason), r -> new LongAdder()).increment();
    }

    static String label(String reason) {
        return reason.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace(' ', '_').toLowerCase(Locale.ROOT);
    }

    /** Bytes delivered to the backend (from the client). */
    public LongAdder upstreamBytes() {
        return bytesFromClients;
    }

    /** Bytes delivered to the client. */
    public LongAdder downstreamBytes() {
        return bytesToClients;
    }

    public void rule(String rule, boolean enforced) {
        rules.computeIfAbsent(new RuleKey(rule, enforced ? "enforce" : "log"), k -> new LongAdder()).increment();
    }

    /** A unit the validator timed (a request head, a command) was completed by the client. */
    public void unitComplete() {
        units.increment();
    }

    public void tlsFailed() {
        tlsFailures.increment();
    }

    /** The counts at one moment. */
    public record Snapshot(long accepted, Map<String, Long> refused, long bytesFromClients, long bytesToClients,
            long units, long tlsFailures, Map<String, Map<String, Long>> rules) {

        public long refusedTotal() {
            return refused.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Reports of a rule, whatever was done about them. */
        public long reports(String rule) {
            return rules.getOrDefault(rule, Map.of()).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public Snapshot snapshot() {
        Map<String, Long> refusedNow = new TreeMap<>();
        refused.forEach((reason, count) -> refusedNow.put(reason, count.sum()));
        Map<String, Map<String, Long>> rulesNow = new TreeMap<>();
        rules.forEach((k, count) -> rulesNow.computeIfAbsent(k.rule(), r -> new TreeMap<>())
                .put(k.action(), count.sum()));
        return new Snapshot(accepted.sum(), refusedNow, bytesFromClients.sum(), bytesToClients.sum(), units.sum(),
                tlsFailures.sum(), rulesNow);
    }
}

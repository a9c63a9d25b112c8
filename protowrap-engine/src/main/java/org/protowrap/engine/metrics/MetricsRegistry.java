package org.protowrap.engine.metrics;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The counts of every wrapper and backend, by name, kept across reloads (a reload that replaces a
 * wrapper keeps counting into the same objects, so counters only grow, as Prometheus expects).
 * Those of wrappers and backends a reload removed are forgotten.
 */
public final class MetricsRegistry {

    /** Which backend of which wrapper. */
    public record BackendKey(String wrapper, String backend) {}

    private final Map<String, WrapperMetrics> wrappers = new ConcurrentHashMap<>();
    private final Map<BackendKey, BackendMetrics> backends = new ConcurrentHashMap<>();

    public WrapperMetrics wrapper(String name) {
        return wrappers.computeIfAbsent(name, n -> new WrapperMetrics());
    }

    public BackendMetrics backend(String wrapper, String backend) {
        return backends.computeIfAbsent(new BackendKey(wrapper, backend), k -> new BackendMetrics());
    }

    /** Forgets every wrapper not in {@code wrapperNames} and every backend not in {@code keep}. */
    public void retainOnly(Set<String> wrapperNames, Collection<BackendKey> keep) {
        wrappers.keySet().retainAll(wrapperNames);
        backends.keySet().retainAll(keep.stream().collect(Collectors.toSet()));
    }
}

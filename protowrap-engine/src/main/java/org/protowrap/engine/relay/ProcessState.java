package org.protowrap.engine.relay;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.protowrap.engine.health.HealthRegistry;
import org.protowrap.engine.metrics.MetricsRegistry;

/**
 * What outlives a generation of a wrapper: backend health, connection counts, rate limit buckets
 * and metrics, by
 * wrapper (and backend) name, and the process's file descriptor budget. A reload builds new
 * generations of the wrappers it changes over the same state; what belongs to wrappers and
 * backends it removed is forgotten.
 */
public final class ProcessState {

    private final HealthRegistry health = new HealthRegistry();
    private final MetricsRegistry metrics = new MetricsRegistry();
    private final Map<String, ConnectionCounts> counts = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> rates = new ConcurrentHashMap<>();
    private final FileDescriptors descriptors;

    public ProcessState(FileDescriptors descriptors) {
        this.descriptors = descriptors;
    }

    /** State for a single generation that nothing else shares (inetd mode, tests). */
    public static ProcessState standalone() {
        return new ProcessState(FileDescriptors.unlimited());
    }

    public HealthRegistry health() {
        return health;
    }

    public MetricsRegistry metrics() {
        return metrics;
    }

    public FileDescriptors descriptors() {
        return descriptors;
    }

    ConnectionCounts counts(String wrapper) {
        return counts.computeIfAbsent(wrapper, name -> new ConnectionCounts());
    }

    /** The wrapper's rate limit buckets: a reload that changes the wrapper keeps what its clients used. */
    RateLimiter rates(String wrapper) {
        return rates.computeIfAbsent(wrapper, name -> new RateLimiter());
    }

    /** Forgets what belongs to wrappers and backends no longer configured. */
    public void retainOnly(Set<String> wrappers, Collection<HealthRegistry.Key> backends) {
        health.retainOnly(backends);
        metrics.retainOnly(wrappers, backends.stream()
                .map(k -> new MetricsRegistry.BackendKey(k.wrapper(), k.backend())).toList());
        counts.keySet().retainAll(wrappers);
        rates.keySet().retainAll(wrappers);
    }
}

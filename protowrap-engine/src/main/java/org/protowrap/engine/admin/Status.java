package org.protowrap.engine.admin;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.protowrap.engine.health.BackendHealth;
import org.protowrap.engine.metrics.BackendMetrics;
import org.protowrap.engine.metrics.WrapperMetrics;

/**
 * What the running process looks like at one moment: what {@code /status}, {@code /metrics} and
 * the status page show. Built by the server on request; plain data.
 *
 * @param version the program's version
 * @param started when the process started serving
 * @param ready every listener bound and every wrapper's first round of health checks done
 * @param wrappers every configured wrapper, in configuration order
 * @param loopBusyNanos each event loop's time spent working since it started
 * @param openFds descriptors open now, -1 where unknown
 * @param maxFds the soft limit, -1 where unknown
 * @param heapUsed bytes of heap in use
 * @param heapMax the heap's limit
 */
public record Status(String version, Instant started, boolean ready, List<Wrapper> wrappers,
        Map<String, Long> loopBusyNanos, long openFds, long maxFds, long heapUsed, long heapMax) {

    /**
     * One wrapper.
     *
     * @param listen the address it listens on
     * @param listening false after an operator stopped it, or when it could not be bound
     * @param active connections open now, of every generation
     * @param counts what it counted
     * @param backends its backends, in configuration order; empty for {@code destType: pipe}
     */
    public record Wrapper(String name, String protocol, String listen, boolean listening, int active,
            WrapperMetrics.Snapshot counts, List<Backend> backends) {}

    /**
     * One backend of a wrapper.
     *
     * @param health {@code up} or {@code down}
     * @param admin {@code enabled}, {@code drain} or {@code disabled}: set by an operator until the next reload
     * @param weight the weight in force
     * @param configuredWeight the configuration's weight
     * @param active connections open to it now
     * @param transitions its last changes of health
     */
    public record Backend(String name, String health, String admin, int weight, int configuredWeight,
            boolean backup, int active, BackendMetrics.Snapshot counts, List<BackendHealth.Transition> transitions) {

        /** Up, down, drain or disabled: what the status page colours it by. */
        public String state() {
            return admin.equals("enabled") ? health : admin;
        }
    }
}

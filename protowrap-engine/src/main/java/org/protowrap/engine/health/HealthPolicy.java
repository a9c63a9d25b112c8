package org.protowrap.engine.health;

import java.time.Duration;
import java.util.Optional;
import org.protowrap.engine.config.HealthCheckConfig;

/**
 * How a backend's health is counted.
 *
 * @param rise consecutive passed active checks that bring a down backend up
 * @param fall consecutive failures (failed checks, failed connects, protocol errors of the
 *     backend) that take an up backend down
 * @param retryDelay without active checks, how long a backend stays down before it is tried
 *     again; empty when active checks bring it back
 */
public record HealthPolicy(int rise, int fall, Optional<Duration> retryDelay) {

    /** Failures that take a backend down when no {@code healthCheck} is configured. */
    public static final int PASSIVE_FALL = 3;

    /**
     * How long a backend that failed {@link #PASSIVE_FALL} times stays down when no
     * {@code healthCheck} is configured: nothing else would ever bring it back.
     */
    public static final Duration RETRY_DELAY = Duration.ofSeconds(10);

    public HealthPolicy {
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("rise and fall must be at least 1: " + rise + ", " + fall);
        }
    }

    /** Active checks with the configured counts, or passive counting with the retry delay. */
    public static HealthPolicy of(Optional<HealthCheckConfig> healthCheck) {
        return healthCheck.map(c -> new HealthPolicy(c.rise(), c.fall(), Optional.<Duration>empty()))
                .orElseGet(() -> new HealthPolicy(1, PASSIVE_FALL, Optional.of(RETRY_DELAY)));
    }
}

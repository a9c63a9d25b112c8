package org.protowrap.engine.config;

import java.time.Duration;

/**
 * A wrapper's {@code healthCheck:} section.
 *
 * @param interval time between checks of one backend
 * @param timeout time one check may take
 * @param rise consecutive successes that bring a down backend up
 * @param fall consecutive failures that take an up backend down
 */
public record HealthCheckConfig(Duration interval, Duration timeout, int rise, int fall) {}

package org.protowrap.engine.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rise and fall counting, without sockets or clocks: time is passed in. */
class BackendHealthTest {

    private final HealthRegistry registry = new HealthRegistry();

    private BackendHealth active(int rise, int fall) {
        return registry.of("w", "127.0.0.1:1", new HealthPolicy(rise, fall, Optional.empty()));
    }

    @Test
    void startsUpAndFallsAfterFallConsecutiveFailures() {
        BackendHealth health = active(2, 3);
        assertEquals(HealthState.UP, health.state());
        health.checkFailed("refused");
        health.failed("connect: refused");
        health.checkPassed("probe");
        health.checkFailed("refused");
        health.checkFailed("refused");
        assertEquals(HealthState.UP, health.state(), "a success in between restarts the count");
        health.failed("protocol error");
        assertEquals(HealthState.DOWN, health.state());
    }

    @Test
    void risesAfterRiseConsecutivePassedChecksOnly() {
        BackendHealth health = active(2, 1);
        health.checkFailed("refused");
        assertEquals(HealthState.DOWN, health.state());
        health.checkPassed("probe");
        health.checkFailed("refused");
        health.checkPassed("probe");
        assertEquals(HealthState.DOWN, health.state());
        health.served();
        assertEquals(HealthState.DOWN, health.state(), "a client's connection does not bring a backend up");
        health.checkPassed("probe");
        assertEquals(HealthState.UP, health.state());
    }

    @Test
    void withoutActiveChecksAPassivelyDownedBackendIsTriedAgainAfterTheRetryDelay() {
        BackendHealth health = registry.of("w", "b:1", HealthPolicy.of(Optional.empty()));
        for (int i = 0; i < HealthPolicy.PASSIVE_FALL; i++) {
            health.failed("connect: refused");
        }
        long downAt = System.nanoTime();
        assertFalse(health.isUp(downAt));
        assertTrue(health.isUp(downAt + HealthPolicy.RETRY_DELAY.toNanos() + Duration.ofSeconds(1).toNanos()));
        health.failed("connect: refused");
        assertEquals(HealthState.DOWN, health.state(), "on trial, one failure takes it down again");
    }

    @Test
    void theRegistryKeepsStateForKeptBackendsAndForgetsRemovedOnes() {
        active(1, 1).failed("refused");
        assertEquals(HealthState.DOWN, active(1, 1).state());
        registry.retainOnly(List.of(new HealthRegistry.Key("w", "other:1")));
        assertEquals(Optional.empty(), registry.find("w", "127.0.0.1:1"));
        assertEquals(HealthState.UP, active(1, 1).state());
    }
}

package org.protowrap.engine.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health of one backend of one wrapper: {@link HealthState#UP} or {@link HealthState#DOWN},
 * and the counting that moves it between the two, all in this class.
 *
 * <ul>
 *   <li>UP to DOWN: {@code fall} consecutive failures, whether a failed active check, a failed
 *       connect or connect timeout of a client's connection, or a protocol error in the
 *       backend's replies. A passed check, or a client's connection that ended without a fault,
 *       restarts the count.
 *   <li>DOWN to UP: {@code rise} consecutive passed active checks. Without active checks, the
 *       retry delay instead: the backend is then back on trial, and its first failure takes it
 *       down again.
 * </ul>
 *
 * <p>A new backend starts UP, so a wrapper serves at once and a dead backend is found by its
 * first checks or connects. Every transition is logged (WARN going down, INFO coming up) with
 * wrapper, backend, old and new state and the reason. Thread-safe: connections on every event
 * loop report to it; {@link #isUp} reads a volatile field on the fast path.
 */
public final class BackendHealth {

    private static final Logger log = LoggerFactory.getLogger(BackendHealth.class);

    private final String wrapper;
    private final String backend;
    private volatile HealthPolicy policy;
    private volatile HealthState state = HealthState.UP;
    private int failures;
    private int passes;
    private long downSince;
    /** The last few changes, newest last, for the status page. */
    private final ArrayDeque<Transition> transitions = new ArrayDeque<>();

    /** One change of health: when, to which state, and why. */
    public record Transition(Instant at, HealthState to, String reason) {}

    static final int TRANSITIONS_KEPT = 5;

    BackendHealth(String wrapper, String backend, HealthPolicy policy) {
        this.wrapper = wrapper;
        this.backend = backend;
        this.policy = policy;
    }

    public HealthState state() {
        return state;
    }

    /**
     * Whether the backend takes new connections at {@code now} ({@link System#nanoTime()}).
     * Without active checks, a backend whose retry delay has passed comes back here, on trial.
     */
    public boolean isUp(long now) {
        if (state == HealthState.UP) {
            return true;
        }
        retryIfDue(now);
        return state == HealthState.UP;
    }

    /** An active check passed. */
    public synchronized void checkPassed(String how) {
        failures = 0;
        if (state == HealthState.DOWN && ++passes >= policy.rise()) {
            moveTo(HealthState.UP, passes + " consecutive check(s) passed: " + how);
        }
    }

    /** An active check failed. */
    public synchronized void checkFailed(String reason) {
        passes = 0;
        countFailure("check failed: " + reason);
    }

    /**
     * A client's connection to the backend ended without a fault of the backend's. Counted when
     * it ends rather than when it connects, so that protocol errors of a backend that accepts
     * connections still add up.
     */
    public synchronized void served() {
        if (state == HealthState.UP) {
            failures = 0;
        }
    }

    /** A client's connection could not reach the backend, or the backend broke the protocol. */
    public synchronized void failed(String reason) {
        countFailure(reason);
    }

    private void countFailure(String reason) {
        if (state == HealthState.UP && ++failures >= policy.fall()) {
            moveTo(HealthState.DOWN, failures + " consecutive failure(s), last: " + reason);
        }
    }

    private synchronized void retryIfDue(long now) {
        Optional<Duration> delay = policy.retryDelay();
        if (state == HealthState.DOWN && delay.isPresent() && now - downSince >= delay.get().toNanos()) {
            moveTo(HealthState.UP, "down for " + delay.get().toSeconds()
                    + "s without health checks: on trial, its next failure takes it down again");
            failures = policy.fall() - 1;
        }
    }

    /** The counts of a reloaded configuration; the state and counts so far are kept. */
    synchronized void adopt(HealthPolicy next) {
        policy = next;
    }

    /** The last few changes of health, oldest first. */
    public synchronized List<Transition> recentTransitions() {
        return List.copyOf(transitions);
    }

    private void moveTo(HealthState next, String reason) {
        HealthState previous = state;
        state = next;
        if (transitions.size() == TRANSITIONS_KEPT) {
            transitions.removeFirst();
        }
        transitions.addLast(new Transition(Instant.now(), next, reason));
        failures = 0;
        passes = 0;
        if (next == HealthState.DOWN) {
            downSince = System.nanoTime();
            log.warn("wrapper={} backend={} health {} -> {}: {}", wrapper, backend, previous, next, reason);
        } else {
            log.info("wrapper={} backend={} health {} -> {}: {}", wrapper, backend, previous, next, reason);
        }
    }

    @Override
    public String toString() {
        return backend + " " + state;
    }
}

package org.protowrap.engine.relay;

import java.util.Optional;
import org.protowrap.engine.config.Timeouts;

/**
 * A connection's idle, request and session timeouts as deadlines on its loop's clock
 * ({@link System#nanoTime()}). A zero timeout is none.
 */
final class Deadlines {

    private static final long NONE = Long.MIN_VALUE;

    private final long idleNanos;
    private long lastActivity;
    private long request;
    private final long session;

    Deadlines(Timeouts timeouts, long start) {
        this.idleNanos = timeouts.idle().toNanos();
        this.lastActivity = start;
        this.request = at(start, timeouts.request().toNanos());
        this.session = at(start, timeouts.session().toNanos());
    }

    private static long at(long start, long nanos) {
        return nanos == 0 ? NONE : start + nanos;
    }

    /** A byte moved in either direction. */
    void activity(long now) {
        lastActivity = now;
    }

    /** The first byte was sent to the server: the request timeout no longer applies. */
    void requestSent() {
        request = NONE;
    }

    /** The timeout that has expired by {@code now}, if one has: {@code request}, {@code idle} or {@code session}. */
    Optional<String> expired(long now) {
        if (request != NONE && now - request >= 0) {
            return Optional.of("request");
        }
        if (idleNanos > 0 && now - lastActivity >= idleNanos) {
            return Optional.of("idle");
        }
        if (session != NONE && now - session >= 0) {
            return Optional.of("session");
        }
        return Optional.empty();
    }
}

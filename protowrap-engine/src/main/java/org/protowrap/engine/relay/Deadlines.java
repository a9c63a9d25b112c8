package org.protowrap.engine.relay;

import java.util.Optional;
import org.protowrap.engine.config.Timeouts;

/**
 * A connection's timeouts on its loop's clock ({@link System#nanoTime()}); a zero timeout is none.
 *
 * <ul>
 *   <li>{@code request}: from accept until the first byte is sent to the server; then, for each
 *       unit the session opens ({@link #unitStarted}) until it closes it, the time the client
 *       takes, which excludes the time the session is awaiting the server.
 *   <li>{@code server}: while the session says the server owes an answer, how long the server may
 *       stay silent after the last byte exchanged with it; and, whatever the protocol, how long
 *       bytes may wait for a server that takes none of them.
 *   <li>{@code idle}: no byte in either direction.
 *   <li>{@code session}: the whole connection.
 * </ul>
 */
final class Deadlines {

    private static final long NONE = Long.MIN_VALUE;

    private final long requestNanos;
    private final long idleNanos;
    private final long serverNanos;
    private final long session;
    private long lastActivity;
    /** The first unit's deadline, from accept. */
    private long firstRequest;
    private boolean unitOpen;
    /** Time the open unit has run while the server owed nothing. */
    private long unitUsed;
    /** When the open unit's clock last started; {@link #NONE} while it is stopped. */
    private long unitSince = NONE;
    private boolean awaitingServer;
    private long lastServerExchange;
    /** Whether bytes wait to be written to the server. */
    private boolean serverBacklog;
    /** When the server last took a byte, or when bytes began to wait for it. */
    private long lastServerTook;

    Deadlines(Timeouts timeouts, long start) {
        this.requestNanos = timeouts.request().toNanos();
        this.idleNanos = timeouts.idle().toNanos();
        this.serverNanos = timeouts.server().toNanos();
        this.session = at(start, timeouts.session().toNanos());
        this.lastActivity = start;
        this.firstRequest = at(start, requestNanos);
        this.lastServerExchange = start;
    }

    private static long at(long start, long nanos) {
        return nanos == 0 ? NONE : start + nanos;
    }

    /** A byte moved in either direction. */
    void activity(long now) {
        lastActivity = now;
    }

    /** Bytes were sent to the server: the first unit's timeout no longer applies, and the server's clock restarts. */
    void sentToServer(long now) {
        firstRequest = NONE;
        lastServerExchange = now;
    }

    /** Whether bytes wait for the server: a server that takes none of them for the server timeout has stalled. */
    void serverBacklog(boolean waiting, long now) {
        if (waiting && !serverBacklog) {
            lastServerTook = now;
        }
        serverBacklog = waiting;
    }

    /** The server's socket took bytes. */
    void serverTook(long now) {
        lastServerTook = now;
    }

    /** Whether the server has stalled with bytes waiting for it, by {@code now}. */
    boolean serverStalled(long now) {
        return serverBacklog && serverNanos > 0 && now - lastServerTook >= serverNanos;
    }

    /** Bytes came from the server. */
    void receivedFromServer(long now) {
        lastServerExchange = now;
    }

    void unitStarted(long now) {
        if (!unitOpen) {
            unitOpen = true;
            unitUsed = 0;
            unitSince = awaitingServer ? NONE : now;
        }
    }

    void unitComplete() {
        unitOpen = false;
        unitSince = NONE;
        firstRequest = NONE;
    }

    void awaitingServer(boolean awaiting, long now) {
        if (awaiting == awaitingServer) {
            return;
        }
        awaitingServer = awaiting;
        if (awaiting) {
            lastServerExchange = Math.max(lastServerExchange, now);
            if (unitSince != NONE) {
                unitUsed += now - unitSince;
                unitSince = NONE;
            }
        } else if (unitOpen) {
            unitSince = now;
        }
    }

    /** The timeout that has expired by {@code now}, if one has: {@code request}, {@code server}, {@code idle} or {@code session}. */
    Optional<String> expired(long now) {
        if (requestExpired(now)) {
            return Optional.of("request");
        }
        if (awaitingServer && serverNanos > 0 && now - lastServerExchange >= serverNanos || serverStalled(now)) {
            return Optional.of("server");
        }
        if (idleNanos > 0 && now - lastActivity >= idleNanos) {
            return Optional.of("idle");
        }
        if (session != NONE && now - session >= 0) {
            return Optional.of("session");
        }
        return Optional.empty();
    }

    private boolean requestExpired(long now) {
        if (firstRequest != NONE && now - firstRequest >= 0) {
            return true;
        }
        long used = unitUsed + (unitSince == NONE ? 0 : now - unitSince);
        return unitOpen && requestNanos > 0 && used >= requestNanos;
    }
}

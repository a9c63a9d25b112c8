package org.protowrap.engine.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one backend of one wrapper counted since the process started, kept across reloads by
 * wrapper and backend name: connects and their failures, kept connections reused, health check
 * results, and how long connecting and the server's first byte took. Thread-safe.
 */
public final class BackendMetrics {

    final LongAdder connects = new LongAdder();
    final LongAdder connectFailures = new LongAdder();
    final LongAdder reuses = new LongAdder();
    final LongAdder checksPassed = new LongAdder();
    final LongAdder checksFailed = new LongAdder();
    final LongAdder checksSkipped = new LongAdder();
    final Histogram connectTime = new Histogram();
    final Histogram firstByteTime = new Histogram();

    /** A connect succeeded after {@code nanos}. */
    public void connected(long nanos) {
        connects.increment();
        connectTime.observeNanos(nanos);
    }

    public void connectFailed() {
        connectFailures.increment();
    }

    /** A client connection was given an idle connection to the backend instead of a new one. */
    public void reused() {
        reuses.increment();
    }

    /** The server's first byte came {@code nanos} after the first byte sent to it (or after connecting, for a server that speaks first). */
    public void firstByte(long nanos) {
        firstByteTime.observeNanos(nanos);
    }

    public void checkPassed() {
        checksPassed.increment();
    }

    public void checkFailed() {
        checksFailed.increment();
    }

    public void checkSkipped() {
        checksSkipped.increment();
    }

    /** The counts at one moment. */
    public record Snapshot(long connects, long connectFailures, long reuses, long checksPassed,
            long checksFailed, long checksSkipped, Histogram.Snapshot connectTime, Histogram.Snapshot firstByteTime) {}

    public Snapshot snapshot() {
        return new Snapshot(connects.sum(), connectFailures.sum(), reuses.sum(), checksPassed.sum(),
                checksFailed.sum(), checksSkipped.sum(), connectTime.snapshot(), firstByteTime.snapshot());
    }
}

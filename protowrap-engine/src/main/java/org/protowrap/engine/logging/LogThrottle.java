package org.protowrap.engine.logging;

import java.time.Duration;

/**
 * Keeps a repeated log line to one per interval: the first occurrence is logged at once, later
 * ones within the interval are only counted, and the next line logged says how many it stands
 * for. A flood of refused clients or failing accepts then writes a line every few seconds, not
 * one per event. Thread-safe.
 */
public final class LogThrottle {

    /** Nothing to log now. */
    public static final long SKIP = -1;

    private final long intervalNanos;
    private long lastLogged;
    private boolean logged;
    private long suppressed;

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Counts one occurrence at {@code now} ({@link System#nanoTime()}).
     *
     * @return {@link #SKIP} if it is not to be logged; otherwise how many occurrences were left
     *     unlogged since the last line (0 for none)
     */
    public synchronized long occurred(long now) {
        if (logged && now - lastLogged < intervalNanos) {
            suppressed++;
            return SKIP;
        }
        logged = true;
        lastLogged = now;
        long skipped = suppressed;
        suppressed = 0;
        return skipped;
    }

    /** {@code ""}, or {@code " (N more like it since the last line)"}, for the end of a line. */
    public static String more(long skipped) {
        return skipped > 0 ? " (" + skipped + " more like it since the last line)" : "";
    }
}

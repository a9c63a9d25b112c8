package org.protowrap.engine.health;

/** Whether a backend takes new connections. */
public enum HealthState {
    /** A candidate for new connections (if it has room). */
    UP,
    /** Not a candidate until a check, or the retry delay, brings it back. */
    DOWN
}

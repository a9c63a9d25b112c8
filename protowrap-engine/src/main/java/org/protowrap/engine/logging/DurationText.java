package org.protowrap.engine.logging;

import java.time.Duration;

/**
 * A duration as the configuration writes it ({@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h},
 * {@code 2d}), in the largest unit that divides it, so that logs read like the file, not like
 * {@code PT5S}. {@code 0s} is zero.
 */
public final class DurationText {

    private DurationText() {}

    public static String of(Duration d) {
        long millis = d.toMillis();
        if (millis == 0) {
            return "0s";
        }
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}

package org.protowrap.engine.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One line per interval, and the next line counts what was left out; the clock is passed in. */
class LogThrottleTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void theFirstOccurrenceIsLoggedThenOnePerIntervalWithTheCountLeftOut() {
        LogThrottle throttle = new LogThrottle(Duration.ofSeconds(10));
        assertEquals(0, throttle.occurred(0));
        for (int i = 1; i <= 5; i++) {
            assertEquals(LogThrottle.SKIP, throttle.occurred(i * SECOND));
        }
        assertEquals(5, throttle.occurred(10 * SECOND));
        assertEquals(LogThrottle.SKIP, throttle.occurred(11 * SECOND));
        assertEquals(1, throttle.occurred(25 * SECOND));
        assertEquals(0, throttle.occurred(40 * SECOND));
    }

    @Test
    void theTextSaysHowManyLinesOneStandsFor() {
        assertEquals("", LogThrottle.more(0));
        assertEquals(" (3 more like it since the last line)", LogThrottle.more(3));
    }
}

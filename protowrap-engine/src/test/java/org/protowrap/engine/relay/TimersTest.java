package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Timers by time, in scheduling order for the same time, cancellable; the clock is passed in. */
class TimersTest {

    private final Timers timers = new Timers();
    private final List<String> ran = new ArrayList<>();

    private void run(long now) {
        timers.takeDue(now).forEach(Runnable::run);
    }

    @Test
    void dueTimersRunInTimeThenSchedulingOrder() {
        timers.at(200, () -> ran.add("late"));
        timers.at(100, () -> ran.add("first"));
        timers.at(100, () -> ran.add("second"));
        assertEquals(100, timers.untilNext(0));
        run(150);
        assertEquals(List.of("first", "second"), ran);
        assertEquals(50, timers.untilNext(150));
        run(200);
        assertEquals(List.of("first", "second", "late"), ran);
        assertEquals(Long.MAX_VALUE, timers.untilNext(200));
    }

    @Test
    void aCancelledTimerNeitherRunsNorShortensTheWait() {
        Timers.Timer cancelled = timers.at(10, () -> ran.add("cancelled"));
        timers.at(500, () -> ran.add("kept"));
        cancelled.cancel();
        assertEquals(500, timers.untilNext(0));
        run(1000);
        assertEquals(List.of("kept"), ran);
    }

    @Test
    void theClockMayWrap() {
        long nearTheEnd = Long.MAX_VALUE - 10;
        timers.at(nearTheEnd + 20, () -> ran.add("after the wrap"));
        run(nearTheEnd);
        assertEquals(List.of(), ran);
        run(nearTheEnd + 30);
        assertEquals(List.of("after the wrap"), ran);
    }
}

package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.protowrap.engine.config.Timeouts;

/** The timeouts of one connection on a clock the test passes in (seconds, as nanoseconds). */
class DeadlinesTest {

    private static final long S = 1_000_000_000L;

    /** request 30s, idle 5m, server 60s, no session timeout. */
    private final Deadlines deadlines = new Deadlines(new Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(5),
            Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(1)), 0);

    @Test
    void theFirstUnitIsTimedFromAcceptUntilSomethingGoesToTheServer() {
        assertEquals(Optional.empty(), deadlines.expired(29 * S));
        assertEquals(Optional.of("request"), deadlines.expired(30 * S));
        deadlines.sentToServer(10 * S);
        assertEquals(Optional.empty(), deadlines.expired(30 * S));
    }

    @Test
    void everyUnitTheSessionOpensIsTimedToo() {
        deadlines.sentToServer(S);
        deadlines.activity(100 * S);
        deadlines.unitStarted(100 * S);
        deadlines.activity(125 * S);
        deadlines.unitStarted(125 * S); // a unit already open keeps its start
        assertEquals(Optional.empty(), deadlines.expired(129 * S));
        assertEquals(Optional.of("request"), deadlines.expired(130 * S));
        deadlines.unitComplete();
        assertEquals(Optional.empty(), deadlines.expired(130 * S));
    }

    @Test
    void timeAwaitingTheServerDoesNotCountAgainstTheClientsUnit() {
        deadlines.sentToServer(S);
        deadlines.unitStarted(10 * S);
        deadlines.awaitingServer(true, 20 * S); // 10s used
        deadlines.receivedFromServer(50 * S);
        deadlines.activity(50 * S);
        deadlines.awaitingServer(false, 50 * S);
        assertEquals(Optional.empty(), deadlines.expired(69 * S));
        assertEquals(Optional.of("request"), deadlines.expired(70 * S));
    }

    @Test
    void bytesMayWaitForAServerThatTakesNoneOfThemForServerTimeout() {
        deadlines.sentToServer(S);
        deadlines.activity(10 * S);
        deadlines.serverBacklog(true, 10 * S);
        deadlines.serverTook(40 * S);
        deadlines.serverBacklog(true, 45 * S); // still waiting: the clock is not restarted
        assertEquals(Optional.empty(), deadlines.expired(99 * S));
        assertEquals(Optional.of("server"), deadlines.expired(100 * S));
        deadlines.serverBacklog(false, 100 * S);
        assertEquals(Optional.empty(), deadlines.expired(100 * S));
    }

    @Test
    void aServerThatOwesAnAnswerMayStaySilentForServerTimeoutAfterTheLastByteSentToIt() {
        deadlines.sentToServer(10 * S);
        deadlines.awaitingServer(true, 10 * S);
        deadlines.sentToServer(40 * S);
        deadlines.activity(40 * S);
        assertEquals(Optional.empty(), deadlines.expired(99 * S));
        assertEquals(Optional.of("server"), deadlines.expired(100 * S));
        deadlines.awaitingServer(false, 100 * S);
        assertEquals(Optional.empty(), deadlines.expired(100 * S));
    }

    @Test
    void aSilentServerThatOwesNothingIsOnlyIdle() {
        deadlines.sentToServer(S);
        assertEquals(Optional.empty(), deadlines.expired(200 * S));
        assertEquals(Optional.of("idle"), deadlines.expired(301 * S));
    }
}

package org.protowrap.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class EventuallyTest {

    @Test
    void pollLooksAgainUntilTheValueIsDoneAndReturnsIt() throws InterruptedException {
        AtomicInteger looks = new AtomicInteger();
        assertEquals(3, Eventually.poll(Duration.ofSeconds(10), looks::incrementAndGet, n -> n == 3));
    }

    @Test
    void pollReturnsTheLastValueWhenTimeIsUp() throws InterruptedException {
        AtomicInteger looks = new AtomicInteger();
        int last = Eventually.poll(Duration.ofMillis(50), looks::incrementAndGet, n -> false);
        assertTrue(last >= 2, "looked " + last + " times");
        assertEquals(last, looks.get());
    }

    @Test
    void awaitFailsWithTheMessageMadeAtTheEnd() {
        AtomicInteger looks = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class, () -> Eventually.await(Duration.ofMillis(30), () -> {
            looks.incrementAndGet();
            return Optional.empty();
        }, () -> "nothing after " + looks.get() + " looks"));
        assertEquals("nothing after " + looks.get() + " looks", e.getMessage());
    }

    @Test
    void aProbesExceptionEndsTheWait() {
        assertThrows(IOException.class, () -> Eventually.await(Duration.ofSeconds(10), () -> {
            throw new IOException("gone");
        }, () -> "unused"));
    }

    @Test
    void awaitReturnsWhatWasFound() throws InterruptedException {
        assertEquals("here", Eventually.await(Duration.ofSeconds(1), () -> Optional.of("here"), () -> "unused"));
    }
}

package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Work a loop queues for itself runs before it sleeps again. The bounds below are generous
 * deadlines for liveness, not measurements: without the fix the task waits for an event that,
 * on an idle loop, never comes.
 */
class EventLoopTest {

    private final EventLoop loop = new EventLoop("test-loop");

    @AfterEach
    void stop() {
        loop.stop();
    }

    @Test
    void aTaskQueuedByATimerRunsWithoutAnotherWakeup() throws InterruptedException {
        loop.start();
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(() -> loop.schedule(TimeUnit.MILLISECONDS.toNanos(1), () -> loop.execute(ran::countDown)));
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the task queued by a timer did not run on an idle loop");
    }

    @Test
    void aTaskQueuedByATaskRunsToo() throws InterruptedException {
        loop.start();
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(() -> loop.execute(() -> loop.execute(ran::countDown)));
        assertTrue(ran.await(10, TimeUnit.SECONDS), "the task queued by a task did not run on an idle loop");
    }
}

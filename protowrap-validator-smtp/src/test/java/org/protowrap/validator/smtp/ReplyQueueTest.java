package org.protowrap.validator.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.protowrap.validator.smtp.ReplyQueue.Awaited;
import org.protowrap.validator.smtp.ReplyQueue.Slot;

/** The queue's counts answer what a scan of its slots would, whatever was added and taken. */
class ReplyQueueTest {

    @Test
    void countsAgreeWithAScanOfTheSlotsAfterEveryChange() {
        Random random = new Random(20);
        ReplyQueue queue = new ReplyQueue();
        Deque<Slot> model = new ArrayDeque<>();
        Awaited[] kinds = Awaited.values();
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(100);
            if (op < 55) {
                Awaited awaited = kinds[random.nextInt(kinds.length)];
                Slot slot = awaited == Awaited.LOCAL
                        ? (random.nextInt(8) == 0 ? Slot.startTls() : Slot.local("250 ok", random.nextBoolean()))
                        : Slot.server(awaited, random.nextBoolean(), step);
                queue.add(slot);
                model.addLast(slot);
            } else if (op < 99) {
                assertEquals(model.pollFirst(), queue.pollFirst());
            } else {
                queue.clear();
                model.clear();
            }
            assertAgrees(model, queue);
        }
    }

    private static void assertAgrees(Deque<Slot> model, ReplyQueue queue) {
        assertEquals(model.size(), queue.size());
        assertEquals(model.isEmpty(), queue.isEmpty());
        assertEquals(model.stream().anyMatch(Slot::sync), queue.syncOutstanding());
        assertEquals(model.stream().filter(s -> s.awaited() != Awaited.LOCAL).count(), queue.owedByServer());
        assertEquals(!model.isEmpty() && model.peekFirst().awaited() == Awaited.LOCAL, queue.localReplyFirst());
        for (Awaited awaited : Awaited.values()) {
            assertEquals(model.stream().anyMatch(s -> s.awaited() == awaited), queue.awaiting(awaited), awaited.name());
        }
    }
}

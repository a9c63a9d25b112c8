package org.protowrap.validator.smtp;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Every reply the client will get, one slot per command in the order of the commands. It keeps
 * counts of what its slots wait for, so that each question the session asks on every line (must
 * the client wait? does the server owe a reply?) costs the same however many commands are
 * pipelined.
 */
final class ReplyQueue {

    /** What a reply slot waits for. */
    enum Awaited {
        GREETING, HELO, EHLO, MAIL, RCPT, DATA, MESSAGE_END, BDAT, BDAT_LAST, RSET, QUIT, STARTTLS, AUTH, AUTH_LINE, OTHER,
        /** The wrapper's own reply, released when it reaches the head of the queue. */
        LOCAL
    }

    /**
     * A slot in the reply queue; {@code sync}: the client must wait for this reply before it
     * sends more; {@code messageSize}: the octets of the message whose end it answers;
     * {@code startsTls}: the wrapper's 220 to STARTTLS.
     */
    record Slot(Awaited awaited, boolean sync, long transaction, long messageSize, byte[] localReply,
            boolean closeAfter, boolean startsTls) {
        static Slot server(Awaited awaited, boolean sync, long transaction) {
            return messageEnd(awaited, sync, transaction, 0);
        }

        static Slot messageEnd(Awaited awaited, boolean sync, long transaction, long messageSize) {
            return new Slot(awaited, sync, transaction, messageSize, new byte[0], false, false);
        }

        static Slot local(String reply, boolean closeAfter) {
            return new Slot(Awaited.LOCAL, false, 0, 0, Replies.bytes(reply), closeAfter, false);
        }

        static Slot startTls() {
            return new Slot(Awaited.LOCAL, true, 0, 0, Replies.bytes(Replies.READY_TO_START_TLS), false, true);
        }
    }

    private final Deque<Slot> slots = new ArrayDeque<>();
    private final int[] awaitedCounts = new int[Awaited.values().length];
    private int syncCount;

    void add(Slot slot) {
        slots.addLast(slot);
        count(slot, 1);
    }

    /** The first slot, removed; {@code null} if there is none. */
    Slot pollFirst() {
        Slot slot = slots.pollFirst();
        if (slot != null) {
            count(slot, -1);
        }
        return slot;
    }

    /** Whether the first slot holds the wrapper's own reply, ready to go out. */
    boolean localReplyFirst() {
        return !slots.isEmpty() && slots.peekFirst().awaited() == Awaited.LOCAL;
    }

    void clear() {
        slots.clear();
        Arrays.fill(awaitedCounts, 0);
        syncCount = 0;
    }

    boolean isEmpty() {
        return slots.isEmpty();
    }

    int size() {
        return slots.size();
    }

    /** Whether a reply the client must wait for is outstanding. */
    boolean syncOutstanding() {
        return syncCount > 0;
    }

    /** Whether a slot waits for {@code awaited}. */
    boolean awaiting(Awaited awaited) {
        return awaitedCounts[awaited.ordinal()] > 0;
    }

    /** How many replies the server owes. */
    int owedByServer() {
        return slots.size() - awaitedCounts[Awaited.LOCAL.ordinal()];
    }

    private void count(Slot slot, int delta) {
        awaitedCounts[slot.awaited().ordinal()] += delta;
        if (slot.sync()) {
            syncCount += delta;
        }
    }
}

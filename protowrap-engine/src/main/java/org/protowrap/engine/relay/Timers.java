package org.protowrap.engine.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Tasks an {@link EventLoop} runs at a time on its clock ({@link System#nanoTime()}), such as the
 * next health check of a backend. Used on the loop's thread only. A few timers per backend at
 * most, so a heap is plenty.
 */
final class Timers {

    /** A scheduled task; {@link #cancel} keeps it from running. */
    static final class Timer implements Comparable<Timer> {
        private final long due;
        private final long order;
        private final Runnable task;
        private boolean cancelled;

        private Timer(long due, long order, Runnable task) {
            this.due = due;
            this.order = order;
            this.task = task;
        }

        void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer other) {
            int byTime = Long.compare(due - other.due, 0);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    private final PriorityQueue<Timer> queue = new PriorityQueue<>();
    private long scheduled;

    Timer at(long due, Runnable task) {
        Timer timer = new Timer(due, scheduled++, task);
        queue.add(timer);
        return timer;
    }

    /** Nanoseconds from {@code now} to the next timer, 0 if one is due; {@code Long.MAX_VALUE} if there is none. */
    long untilNext(long now) {
        dropCancelled();
        return queue.isEmpty() ? Long.MAX_VALUE : Math.max(0, queue.peek().due - now);
    }

    /** Takes every timer due by {@code now}, in order; the caller runs them (they may schedule more). */
    List<Runnable> takeDue(long now) {
        List<Runnable> due = new ArrayList<>();
        for (dropCancelled(); !queue.isEmpty() && queue.peek().due - now <= 0; dropCancelled()) {
            due.add(queue.poll().task);
        }
        return due;
    }

    private void dropCancelled() {
        while (!queue.isEmpty() && queue.peek().cancelled) {
            queue.poll();
        }
    }
}

package org.protowrap.testkit;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting with a deadline, for end-to-end tests: something another process or thread does (a log
 * line, a server that listens, a count that settles) is looked at again and again until it is
 * there or the time is up. It looks first at once, then after 10 ms, and waits twice as long
 * each time up to 200 ms. A probe's exception ends the wait and is thrown as it is.
 */
public final class Eventually {

    private static final long FIRST_PAUSE_MILLIS = 10;
    private static final long LONGEST_PAUSE_MILLIS = 200;

    private Eventually() {}

    /**
     * Something to look at, which may fail.
     *
     * @param <T> what it finds
     * @param <E> what it may throw
     */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        /** Looks once; it may wait, too. */
        T get() throws E, InterruptedException;
    }

    /**
     * Looks until {@code done} holds for what {@code probe} finds, or {@code within} has passed,
     * and returns what it found last: the caller asserts on it, with its own message.
     */
    public static <T, E extends Exception> T poll(Duration within, Probe<T, E> probe, Predicate<? super T> done)
            throws E, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        long pause = FIRST_PAUSE_MILLIS;
        T found = probe.get();
        while (!done.test(found) && System.nanoTime() - deadline < 0) {
            Thread.sleep(pause);
            pause = Math.min(2 * pause, LONGEST_PAUSE_MILLIS);
            found = probe.get();
        }
        return found;
    }

    /**
     * Looks until {@code probe} finds something and returns it; if nothing is found within
     * {@code within}, throws an {@link AssertionError} with {@code failure}'s message, made then
     * (so that it can show the latest state).
     */
    public static <T, E extends Exception> T await(Duration within, Probe<Optional<T>, E> probe,
            Supplier<String> failure) throws E, InterruptedException {
        return poll(within, probe, Optional::isPresent).orElseThrow(() -> new AssertionError(failure.get()));
    }
}

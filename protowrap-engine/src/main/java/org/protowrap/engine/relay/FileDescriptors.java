package org.protowrap.engine.relay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The process's file descriptors as a budget that connections are admitted against, so that a
 * flood of clients cannot take the descriptors that their backend connects, health checks and
 * reloads need. Each connection takes what it will hold (its client socket and its backend socket,
 * or the pipes of a program) when it is admitted and gives it back when it ends; a {@link #RESERVE}
 * is left for everything else. Where the system does not tell the limit (only Linux's
 * {@code /proc} is read), the budget is unlimited and accepting only pauses when a call fails.
 */
public final class FileDescriptors {

    /** Kept free for health checks, a reload's listeners, logs, name lookups and the JVM itself. */
    static final long RESERVE = 64;

    private final long capacity;
    private final AtomicLong used = new AtomicLong();

    private FileDescriptors(long capacity) {
        this.capacity = capacity;
    }

    /** A budget of the soft limit, less what is open now and the reserve. */
    public static FileDescriptors measure() {
        OptionalLong limit = softLimit();
        OptionalLong open = openNow();
        if (limit.isEmpty() || open.isEmpty()) {
            return unlimited();
        }
        return new FileDescriptors(Math.max(0, limit.getAsLong() - open.getAsLong() - RESERVE));
    }

    public static FileDescriptors unlimited() {
        return new FileDescriptors(Long.MAX_VALUE);
    }

    /** A budget of {@code capacity} descriptors, for tests. */
    static FileDescriptors ofCapacity(long capacity) {
        return new FileDescriptors(capacity);
    }

    /** Descriptors connections may hold at once; {@link Long#MAX_VALUE} when unknown. */
    public long capacity() {
        return capacity;
    }

    /** Whether {@code n} more would fit now: a hint, {@link #take} decides. */
    boolean hasRoom(int n) {
        return used.get() + n <= capacity;
    }

    boolean take(int n) {
        if (used.addAndGet(n) > capacity) {
            used.addAndGet(-n);
            return false;
        }
        return true;
    }

    /** Counts {@code n} descriptors opened whatever the budget says (a listener's sockets). */
    void charge(int n) {
        used.addAndGet(n);
    }

    void give(int n) {
        used.addAndGet(-n);
    }

    /** Whether an I/O error says the process or the system ran out of descriptors (EMFILE, ENFILE). */
    static boolean exhausted(IOException e) {
        String message = e.getMessage();
        return message != null && message.startsWith("Too many open files");
    }

    /** The soft {@code RLIMIT_NOFILE} ({@code ulimit -n}) from {@code /proc/self/limits}. */
    public static OptionalLong softLimit() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/limits"))) {
            return lines.filter(l -> l.startsWith("Max open files")).findFirst()
                    .map(l -> l.substring("Max open files".length()).trim().split("\\s+")[0])
                    .filter(v -> v.chars().allMatch(Character::isDigit))
                    .map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** Descriptors open in this process now, from {@code /proc/self/fd}. */
    public static OptionalLong openNow() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return OptionalLong.of(fds.count());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}

package org.protowrap.engine.relay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One I/O thread: a selector, one direct read buffer shared by all its connections, a queue of
 * tasks handed in from other threads, timers (health checks), the backend connections kept idle
 * for later clients, and a deadline check every
 * {@link #TICK_NANOS}. A
 * connection belongs to one loop for life, so its validator session is only ever called from
 * this thread, and nothing a connection owns needs a lock.
 *
 * <p>Timeouts are checked by visiting every connection once per tick: cheap for the thousands
 * of connections a loop holds, but not a timer wheel; a timeout fires up to one tick late.
 */
final class EventLoop implements Executor {

    private static final Logger log = LoggerFactory.getLogger(EventLoop.class);

    /** Bytes read from a socket at once, and so the largest buffer a validator is handed. */
    static final int READ_BUFFER_SIZE = 32 * 1024;
    static final long TICK_NANOS = 100_000_000L;

    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private ByteBuffer recordBuffer = ByteBuffer.allocate(0);
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Set<Connection> connections = new HashSet<>();
    private final List<SelectableChannel> closeAfterSelect = new ArrayList<>();
    private final Timers timers = new Timers();
    private final IdleServers idleServers = new IdleServers();
    private final AtomicInteger connectionCount = new AtomicInteger();
    /** Connections handed to this loop whose start has not run yet. */
    private final AtomicInteger incoming = new AtomicInteger();
    private final Thread thread;
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();
    private volatile boolean running = true;
    /** Time spent handling events, timers and tasks rather than waiting; written by the loop's thread only. */
    private volatile long busyNanos;
    private long now = System.nanoTime();
    private long nextTick = now + TICK_NANOS;

    EventLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    /** Runs the task on this loop's thread, soon. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** Runs the task on this loop's thread and returns its result when done. */
    <T> CompletableFuture<T> submit(java.util.function.Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Runs the task on this loop's thread once {@code delayNanos} have passed. On the loop's thread only. */
    Timers.Timer schedule(long delayNanos, Runnable task) {
        return timers.at(now + delayNanos, task);
    }

    SelectionKey register(SelectableChannel channel, int ops, Ready handler) throws IOException {
        return channel.register(selector, ops, handler);
    }

    /**
     * Closes a channel whose key is cancelled once the next select has deregistered it. A channel
     * closed while still registered makes the JDK call {@code getsockopt(SO_LINGER)} and
     * {@code shutdown} on it; one already deregistered is just closed. On the loop's thread only.
     */
    void closeAfterSelect(SelectableChannel channel) {
        closeAfterSelect.add(channel);
    }

    /** Deregisters cancelled keys now, so that a closed listener's port is free when this returns. */
    void flushCancelledKeys() throws IOException {
        selector.selectNow();
    }

    /** The shared read buffer, cleared. Valid until the loop's next event. */
    ByteBuffer readBuffer() {
        return readBuffer.clear();
    }

    /**
     * A shared buffer of at least {@code capacity} bytes for one TLS record on its way out,
     * cleared; valid only until the caller returns. Made at the first use, so a loop without TLS
     * connections has none.
     */
    ByteBuffer recordBuffer(int capacity) {
        if (recordBuffer.capacity() < capacity) {
            recordBuffer = ByteBuffer.allocateDirect(capacity);
        }
        return recordBuffer.clear();
    }

    /** Backend connections kept idle on this loop for later clients. */
    IdleServers idleServers() {
        return idleServers;
    }

    /** {@link System#nanoTime()} as of the current wakeup. */
    long now() {
        return now;
    }

    void add(Connection connection) {
        connections.add(connection);
        connectionCount.incrementAndGet();
    }

    void remove(Connection connection) {
        if (connections.remove(connection)) {
            connectionCount.decrementAndGet();
        }
    }

    /** Time this loop spent working since it started, not waiting for events; readable from any thread. */
    long busyNanos() {
        return busyNanos;
    }

    String name() {
        return thread.getName();
    }

    /** Open connections; readable from any thread. */
    int connectionCount() {
        return connectionCount.get();
    }

    /** Open connections and those handed in but not started yet; readable from any thread. */
    int load() {
        return connectionCount.get() + incoming.get();
    }

    /** Runs {@code start}, which starts one connection, on this loop; counted in {@link #load} from now on. */
    void handIn(Runnable start) {
        incoming.incrementAndGet();
        execute(() -> {
            incoming.decrementAndGet();
            start.run();
        });
    }

    /** Bytes queued in this loop's connections, for tests and metrics; computed on the loop. */
    CompletableFuture<Long> pendingBytes() {
        return submit(() -> connections.stream().mapToLong(Connection::pendingBytes).sum());
    }

    /** Asks the sessions of the connections that {@code which} selects to end them at their next boundary. */
    CompletableFuture<Integer> drain(Predicate<Connection> which) {
        return submit(() -> {
            List<Connection> selected = connections.stream().filter(which).toList();
            selected.forEach(Connection::drain);
            return selected.size();
        });
    }

    /** Tells the selected connections their backend was removed; returns how many there were. */
    CompletableFuture<Integer> backendRemoved(Predicate<Connection> which) {
        return submit(() -> {
            List<Connection> selected = connections.stream().filter(which).toList();
            selected.forEach(Connection::backendRemoved);
            return selected.size();
        });
    }

    /** Ends every open connection, as at the end of the shutdown grace; returns how many there were. */
    CompletableFuture<Integer> shutDownAll() {
        return submit(() -> {
            List<Connection> all = new ArrayList<>(connections);
            all.forEach(Connection::shutDown);
            return all.size();
        });
    }

    /** Stops the thread after closing what is left; waits for it. */
    void stop() {
        running = false;
        selector.wakeup();
        if (Thread.currentThread() != thread && thread.isAlive()) {
            stopped.join();
        }
    }

    private void run() {
        try {
            while (running) {
                waitForEvents();
                now = System.nanoTime();
                long woke = now;
                dispatchSelected();
                runTasks();
                timers.takeDue(now).forEach(this::runGuarded);
                if (now - nextTick >= 0) {
                    nextTick = now + TICK_NANOS;
                    List.copyOf(connections).forEach(c -> c.tick(now));
                    idleServers.expire(now);
                }
                busyNanos += System.nanoTime() - woke;
            }
        } catch (IOException | RuntimeException e) {
            log.error("event loop {} failed", thread.getName(), e);
        } finally {
            List.copyOf(connections).forEach(Connection::shutDown);
            closeSelector();
            stopped.complete(null);
        }
    }

    /**
     * Until a socket is ready, a task arrives, the next tick (with connections) or the next timer.
     * It never sleeps while work is already waiting: tasks queued by this thread itself (which
     * {@link #execute} does not wake the selector for) and sockets waiting to be closed.
     */
    private void waitForEvents() throws IOException {
        // without connections or kept backend connections there is no deadline to check: only timers limit the sleep
        boolean ticking = !connections.isEmpty() || idleServers.size() > 0;
        long wait = Math.min(ticking ? Math.max(0, nextTick - now) : Long.MAX_VALUE, timers.untilNext(now));
        if (!closeAfterSelect.isEmpty() || !tasks.isEmpty()) {
            wait = 0;
        }
        if (wait == Long.MAX_VALUE) {
            selector.select();
        } else if (wait == 0) {
            selector.selectNow();
        } else {
            selector.select(Math.max(1, wait / 1_000_000L));
        }
        closeDeregistered();
    }

    private void closeDeregistered() {
        for (SelectableChannel channel : closeAfterSelect) {
            closeQuietly(channel);
        }
        closeAfterSelect.clear();
    }

    private static void closeQuietly(SelectableChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing a channel", e);
        }
    }

    private void dispatchSelected() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            if (key.isValid()) {
                ((Ready) key.attachment()).ready(key);
            }
        }
    }

    private void runTasks() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            runGuarded(task);
        }
    }

    private void runGuarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("task on {} failed", thread.getName(), e);
        }
    }

    private void closeSelector() {
        closeDeregistered();
        for (SelectionKey key : selector.keys()) {
            closeQuietly(key.channel());
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("closing the selector", e);
        }
    }
}

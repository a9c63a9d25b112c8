package org.protowrap.engine.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.util.Duration;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Standard error, as logback's {@code ConsoleAppender} writes it, except that access lines (logger
 * {@value AccessLog#LOGGER}) are written in batches: they collect in a buffer that goes out when
 * it is full, at most {@code maxDelay} (default 100 ms) after the first of them, before any other
 * line (other lines are written at once, so the order stays), and when logging stops or the JVM
 * exits. A keep-alive client makes an access line per request; written one by one, each was a
 * system call under the appender's lock, for which the event loops queued.
 *
 * <p>What it cannot do: access lines still in the buffer when the process is killed (SIGKILL) or
 * the JVM crashes are lost; SIGTERM and every normal exit write them. A line is never split: the
 * buffer takes whole lines, and a line longer than the buffer is written on its own.
 */
public class BatchingConsoleAppender extends OutputStreamAppender<ILoggingEvent> {

    private static final int BUFFER_BYTES = 64 * 1024;

    private Duration maxDelay = Duration.buildByMilliseconds(100);
    /** Set when an access line went into the empty buffer, cleared by the flusher. */
    private volatile boolean pending;
    private Thread flusher;
    private Thread atExit;

    /** How late an access line may be written; logback's durations ({@code 100 milliseconds}, {@code 1 second}). */
    public void setMaxDelay(Duration maxDelay) {
        this.maxDelay = maxDelay;
    }

    @Override
    public void start() {
        setOutputStream(new BufferedOutputStream(new StandardError(), BUFFER_BYTES));
        setImmediateFlush(false);
        super.start();
        if (!isStarted()) {
            return;
        }
        flusher = Thread.ofPlatform().daemon().name("protowrap-log-flush").start(this::flushWhilePending);
        atExit = new Thread(this::writeAtOnceFromNowOn, "protowrap-log-exit");
        Runtime.getRuntime().addShutdownHook(atExit);
    }

    @Override
    protected void subAppend(ILoggingEvent event) {
        super.subAppend(event);
        if (!AccessLog.LOGGER.equals(event.getLoggerName())) {
            flush();
        } else if (!pending) {
            pending = true;
            LockSupport.unpark(flusher);
        }
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop(); // closes the buffer, which writes what it holds
        LockSupport.unpark(flusher);
        try {
            Runtime.getRuntime().removeShutdownHook(atExit);
        } catch (IllegalStateException exiting) {
            // stopped by another shutdown hook: the JVM forgets its hooks itself
        }
    }

    /** Waits for an access line, gives later ones {@code maxDelay} to join it, and writes them all. */
    private void flushWhilePending() {
        while (isStarted()) {
            if (!pending) {
                LockSupport.park(this);
                continue;
            }
            LockSupport.parkNanos(this, maxDelay.getMilliseconds() * 1_000_000L);
            pending = false; // cleared first: a line appended from here on asks for a flush of its own
            flush();
        }
    }

    /** At exit, whatever the buffer holds goes out, and so does every line logged during the shutdown. */
    private void writeAtOnceFromNowOn() {
        streamWriteLock.lock();
        try {
            setImmediateFlush(true);
            flush();
        } finally {
            streamWriteLock.unlock();
        }
    }

    private void flush() {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null && isStarted()) {
                out.flush();
            }
        } catch (IOException e) {
            addError("could not write to standard error", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** {@code System.err} as it is at each write (a test may replace it); never closed by stopping. */
    private static final class StandardError extends OutputStream {

        @Override
        public void write(int b) {
            System.err.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            System.err.write(bytes, offset, length);
        }

        @Override
        public void flush() {
            System.err.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}

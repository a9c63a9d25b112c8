package org.protowrap.engine.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * A pair of blocking streams (a process's pipes, or this process's standard input and output)
 * made to look like a non-blocking {@link Peer}. One virtual thread reads a chunk at a time and
 * waits until the loop has taken it; another writes the one chunk the loop handed over. Both
 * report back through {@link EventLoop#execute}, so the connection still only runs on its loop.
 * At most one chunk is held each way.
 */
class StreamPeer implements Peer {

    private static final int CHUNK = 16 * 1024;

    private final EventLoop loop;
    private PeerEvents events;
    private final InputStream in;
    private final OutputStream out;
    private final String description;

    // shared with the two stream threads, guarded by this
    private byte[] incoming;
    private int incomingStart;
    private int incomingEnd;
    private boolean inputEnded;
    private IOException inputError;
    private byte[] outgoing;
    private boolean outputShutdown;
    private IOException outputError;
    private boolean closed;

    private final CompletableFuture<Void> outputClosed = new CompletableFuture<>();

    // the loop's own
    private boolean wantRead;
    private boolean wantWrite;

    @Override
    public void retarget(PeerEvents next) {
        events = next;
    }

    StreamPeer(EventLoop loop, PeerEvents events, InputStream in, OutputStream out, String description) {
        this.loop = loop;
        this.events = events;
        this.in = in;
        this.out = out;
        this.description = description;
    }

    /** Starts the two stream threads. */
    void start() {
        Thread.ofVirtual().name("protowrap-read " + description).start(this::readLoop);
        Thread.ofVirtual().name("protowrap-write " + description).start(this::writeLoop);
    }

    private void readLoop() {
        byte[] chunk = new byte[CHUNK];
        try {
            while (awaitInputTaken()) {
                int n = in.read(chunk);
                synchronized (this) {
                    if (n < 0) {
                        inputEnded = true;
                    } else {
                        incoming = chunk;
                        incomingStart = 0;
                        incomingEnd = n;
                    }
                }
                loop.execute(this::signalReadable);
                if (n < 0) {
                    return;
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                inputError = e;
            }
            loop.execute(this::signalReadable);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized boolean awaitInputTaken() throws InterruptedException {
        while (incoming != null && !closed) {
            wait();
        }
        return !closed;
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] chunk = awaitOutgoing();
                if (chunk == null) {
                    break;
                }
                out.write(chunk);
                out.flush();
                synchronized (this) {
                    outgoing = null;
                }
                loop.execute(this::signalWritable);
            }
            out.close();
        } catch (IOException e) {
            synchronized (this) {
                outputError = e;
                outgoing = null;
            }
            loop.execute(this::signalWritable);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            outputClosed.complete(null);
        }
    }

    /** Completes when everything handed to {@link #write} was written and the output stream closed, or failed. */
    CompletableFuture<Void> outputClosed() {
        return outputClosed;
    }

    /** The next chunk to write, or null once the output is to be shut and nothing is left. */
    private synchronized byte[] awaitOutgoing() throws InterruptedException {
        while (outgoing == null && !outputShutdown && !closed) {
            wait();
        }
        return outgoing;
    }

    private void signalReadable() {
        if (wantRead && hasInput()) {
            events.readable(this);
        }
    }

    private void signalWritable() {
        if (wantWrite && canWrite()) {
            events.writable(this);
        }
    }

    private synchronized boolean hasInput() {
        return incoming != null || inputEnded || inputError != null;
    }

    private synchronized boolean canWrite() {
        return outgoing == null || outputError != null;
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (incoming != null) {
            int n = Math.min(dst.remaining(), incomingEnd - incomingStart);
            dst.put(incoming, incomingStart, n);
            incomingStart += n;
            if (incomingStart == incomingEnd) {
                incoming = null;
                notifyAll();
            }
            return n;
        }
        if (inputError != null) {
            throw inputError;
        }
        return inputEnded ? -1 : 0;
    }

    @Override
    public synchronized int write(ByteBuffer src) throws IOException {
        if (outputError != null) {
            throw outputError;
        }
        if (outgoing != null || closed || outputShutdown || !src.hasRemaining()) {
            return 0;
        }
        byte[] chunk = new byte[Math.min(src.remaining(), CHUNK)];
        src.get(chunk);
        outgoing = chunk;
        notifyAll();
        return chunk.length;
    }

    @Override
    public void interest(boolean read, boolean write) {
        if (read && !wantRead) {
            loop.execute(this::signalReadable);
        }
        if (write && !wantWrite) {
            loop.execute(this::signalWritable);
        }
        wantRead = read;
        wantWrite = write;
    }

    @Override
    public synchronized void shutdownOutput() {
        outputShutdown = true;
        notifyAll();
    }

    /** Lets the writer deliver what it holds, then closes both streams. */
    @Override
    public void close() {
        synchronized (this) {
            outputShutdown = true;
            closed = true;
            notifyAll();
        }
        closeInput();
    }

    @Override
    public void abort() {
        close();
        try {
            out.close();
        } catch (IOException e) {
            // the reader of the other end is gone or going: nothing to deliver
        }
    }

    private void closeInput() {
        try {
            in.close();
        } catch (IOException e) {
            // the stream thread sees the end either way
        }
    }

    @Override
    public String describe() {
        return description;
    }
}

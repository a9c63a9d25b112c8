package org.protowrap.engine.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS over another peer (a socket), with a non-blocking {@link SSLEngine} on the event loop: the
 * connection reads and writes plain bytes, as from any peer, and this peer handshakes, decrypts
 * and encrypts in between. No thread per connection; the engine's delegated tasks (key exchange
 * computations) run inline, as on any event loop.
 *
 * <p>Memory is bounded: at most one TLS record of ciphertext read ahead, one record's plaintext
 * that the reader had no room for, and one flight of ciphertext to write; each buffer is dropped
 * when empty, so an idle connection holds only the engine's own state.
 *
 * <p>As the server (a client's connection), {@link PeerEvents#readable} reaches the connection
 * only once the handshake is done. As the client (a backend with {@code destTls}), the
 * connection is told {@link PeerEvents#connected} once the handshake is done, and a handshake
 * that fails is a failed connect. A failure after the handshake surfaces as an
 * {@link SSLException} from {@link #read} or {@link #write}.
 */
final class TlsPeer implements Peer, PeerEvents {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final EventLoop loop;
    private final SSLEngine engine;
    private PeerEvents events;
    private Peer transport;
    private ByteBuffer netIn = EMPTY;
    private ByteBuffer netOut = EMPTY;
    private ByteBuffer appIn = EMPTY;
    private boolean handshaking = true;
    /** The transport ended (or failed) during the handshake, or an alert arrived: what {@link #read} reports. */
    private IOException failure;
    private boolean inboundDone;
    private boolean outputShutPending;
    private boolean wantRead;
    private boolean wantWrite;
    private boolean readableQueued;

    private TlsPeer(EventLoop loop, SSLEngine engine, PeerEvents events) {
        this.loop = loop;
        this.engine = engine;
        this.events = events;
    }

    /** A backend connection kept idle, or taken by another client: the transport keeps reporting to this peer. */
    @Override
    public void retarget(PeerEvents next) {
        events = next;
    }

    /**
     * TLS as the server over an accepted socket, whose events must come to the returned peer
     * ({@code attach} makes the socket peer with it as its events).
     */
    static TlsPeer server(EventLoop loop, SSLEngine engine, PeerEvents events, Transport attach) throws IOException {
        TlsPeer peer = new TlsPeer(loop, engine, events);
        peer.transport = attach.open(peer);
        peer.begin();
        return peer;
    }

    /** TLS as the client over a socket being connected; the handshake starts once it is. */
    static TlsPeer client(EventLoop loop, SSLEngine engine, PeerEvents events, Transport attach) throws IOException {
        TlsPeer peer = new TlsPeer(loop, engine, events);
        peer.transport = attach.open(peer);
        return peer;
    }

    /** Makes the transport with this peer receiving its events. */
    @FunctionalInterface
    interface Transport {
        Peer open(PeerEvents events) throws IOException;
    }

    private void begin() throws SSLException {
        engine.beginHandshake();
        loop.execute(() -> handshake());
    }

    // ---- events of the transport

    @Override
    public void connected(Peer peer) {
        try {
            begin();
        } catch (SSLException e) {
            events.connectFailed(this, e);
        }
    }

    @Override
    public void connectFailed(Peer peer, IOException cause) {
        events.connectFailed(this, cause);
    }

    @Override
    public void readable(Peer peer) {
        if (handshaking) {
            handshake();
        } else {
            events.readable(this);
        }
    }

    @Override
    public void writable(Peer peer) {
        try {
            flushNetOut();
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (handshaking) {
            handshake();
        } else if (netOut.hasRemaining()) {
            updateTransportInterest();
        } else {
            finishPendingShutdown();
            events.writable(this);
        }
    }

    // ---- the handshake

    private void handshake() {
        try {
            while (handshaking && failure == null) {
                HandshakeStatus status = engine.getHandshakeStatus();
                switch (status) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> {
                        if (!wrapInto(EMPTY)) {
                            updateTransportInterest();
                            return;
                        }
                    }
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        if (!unwrapHandshake()) {
                            updateTransportInterest();
                            return;
                        }
                    }
                    case FINISHED, NOT_HANDSHAKING -> handshakeDone();
                }
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    private void runTasks() {
        for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
            task.run();
        }
    }

    /** One unwrap during the handshake; false when more ciphertext must be read first. */
    private boolean unwrapHandshake() throws IOException {
        if (!netIn.hasRemaining() && !readNet()) {
            return false;
        }
        ByteBuffer plain = appBuffer();
        SSLEngineResult result = engine.unwrap(netIn, plain);
        keepPlain(plain);
        return switch (result.getStatus()) {
            case OK -> true;
            case BUFFER_UNDERFLOW -> readNet();
            case CLOSED -> throw new SSLException("the peer closed the connection during the TLS handshake");
            case BUFFER_OVERFLOW -> throw new IllegalStateException("a TLS record larger than the engine's buffer");
        };
    }

    private void handshakeDone() throws IOException {
        handshaking = false;
        flushNetOut();
        if (engine.getUseClientMode()) {
            events.connected(this);
        } else {
            // the client's first bytes may have come with its last handshake message
            interest(wantRead, wantWrite);
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            try {
                // the alert that tells the peer why (protocol_version, handshake_failure...)
                wrapInto(EMPTY);
            } catch (IOException alertNotSent) {
                // the connection fails either way
            }
        }
        if (handshaking && engine.getUseClientMode()) {
            handshaking = false;
            events.connectFailed(this, e);
        } else {
            // the connection learns of it from read()
            events.readable(this);
        }
    }

    // ---- what the connection calls

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (appIn.hasRemaining()) {
            return drainAppIn(dst);
        }
        if (failure != null) {
            throw failure;
        }
        if (handshaking) {
            return 0;
        }
        while (true) {
            if (inboundDone) {
                return -1;
            }
            if (!netIn.hasRemaining() && !readNet()) {
                return inboundDone ? -1 : 0;
            }
            SSLEngineResult result = engine.unwrap(netIn, dst);
            afterUnwrap(result);
            switch (result.getStatus()) {
                case OK -> {
                    if (result.bytesProduced() > 0) {
                        return result.bytesProduced();
                    }
                }
                case BUFFER_UNDERFLOW -> {
                    if (!readNet()) {
                        return inboundDone ? -1 : 0;
                    }
                }
                case BUFFER_OVERFLOW -> {
                    ByteBuffer plain = appBuffer();
                    afterUnwrap(engine.unwrap(netIn, plain));
                    keepPlain(plain);
                    return drainAppIn(dst);
                }
                case CLOSED -> {
                    inboundDone = true;
                    return -1;
                }
            }
        }
    }

    /** After an unwrap that was not the handshake: a key update or session ticket may ask for a reply. */
    private void afterUnwrap(SSLEngineResult result) throws IOException {
        if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        if (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            wrapInto(EMPTY);
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (handshaking || !flushNetOut()) {
            return 0;
        }
        int before = src.remaining();
        // one record at most: what it does not take is the caller's to offer again
        wrapInto(src);
        return before - src.remaining();
    }

    /**
     * Wraps {@code src} (or handshake data) into one record and writes it as far as the transport
     * takes it. Returns false if ciphertext is left waiting for the transport. The record is made
     * in the loop's shared buffer; only what the transport does not take at once is copied into
     * one of this peer's own, of its size.
     */
    private boolean wrapInto(ByteBuffer src) throws IOException {
        if (!flushNetOut()) {
            return false;
        }
        ByteBuffer record = loop.recordBuffer(engine.getSession().getPacketBufferSize());
        try {
            engine.wrap(src, record);
        } finally {
            record.flip();
        }
        while (record.hasRemaining()) {
            if (transport.write(record) == 0) {
                netOut = ByteBuffer.allocate(record.remaining()).put(record).flip();
                return false;
            }
        }
        return true;
    }

    /** Writes queued ciphertext; true if none is left. */
    private boolean flushNetOut() throws IOException {
        while (netOut.hasRemaining()) {
            if (transport.write(netOut) == 0) {
                return false;
            }
        }
        netOut = EMPTY;
        return true;
    }

    /** Reads ciphertext from the transport; false if none came (nothing ready, or the end). */
    private boolean readNet() throws IOException {
        if (netIn.capacity() == 0) {
            netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            netIn.flip();
        }
        netIn.compact();
        int n;
        try {
            n = transport.read(netIn);
        } finally {
            netIn.flip();
        }
        if (n < 0) {
            if (handshaking) {
                throw new SSLException("the peer closed the connection during the TLS handshake");
            }
            // an end without close_notify: the stream may have been cut, but the validator
            // sees the end as it would on a plain connection
            inboundDone = true;
            return false;
        }
        if (!netIn.hasRemaining()) {
            netIn = EMPTY;
        }
        return n > 0;
    }

    private ByteBuffer appBuffer() {
        return ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
    }

    private void keepPlain(ByteBuffer plain) {
        plain.flip();
        if (plain.hasRemaining()) {
            ByteBuffer joined = ByteBuffer.allocate(appIn.remaining() + plain.remaining());
            joined.put(appIn).put(plain).flip();
            appIn = joined;
        }
    }

    private int drainAppIn(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), appIn.remaining());
        dst.put(dst.position(), appIn, appIn.position(), n);
        dst.position(dst.position() + n);
        appIn.position(appIn.position() + n);
        if (!appIn.hasRemaining()) {
            appIn = EMPTY;
        }
        return n;
    }

    @Override
    public void interest(boolean read, boolean write) {
        wantRead = read;
        wantWrite = write;
        updateTransportInterest();
        // decrypted bytes, or whole records already read, wait here: the socket will not say so
        if (read && !handshaking && (appIn.hasRemaining() || netIn.hasRemaining() || failure != null)
                && !readableQueued) {
            readableQueued = true;
            loop.execute(() -> {
                readableQueued = false;
                if (wantRead) {
                    events.readable(this);
                }
            });
        }
    }

    private void updateTransportInterest() {
        if (handshaking) {
            HandshakeStatus status = engine.getHandshakeStatus();
            boolean unwrapping = status == HandshakeStatus.NEED_UNWRAP || status == HandshakeStatus.NEED_UNWRAP_AGAIN;
            transport.interest(unwrapping, netOut.hasRemaining());
        } else {
            transport.interest(wantRead, wantWrite || netOut.hasRemaining() || outputShutPending);
        }
    }

    /** Sends close_notify, then ends the transport's sending side once it is written. */
    @Override
    public void shutdownOutput() throws IOException {
        engine.closeOutbound();
        wrapInto(EMPTY);
        outputShutPending = true;
        finishPendingShutdown();
    }

    private void finishPendingShutdown() {
        if (outputShutPending && !netOut.hasRemaining()) {
            outputShutPending = false;
            try {
                transport.shutdownOutput();
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    /** Sends close_notify if the transport takes it at once, then closes. */
    @Override
    public void close() {
        if (!handshaking && failure == null) {
            try {
                engine.closeOutbound();
                wrapInto(EMPTY);
            } catch (IOException e) {
                // closing anyway
            }
        }
        transport.close();
    }

    @Override
    public void abort() {
        transport.abort();
    }

    @Override
    public String describe() {
        return transport.describe();
    }

    /** The negotiated protocol and cipher suite, for logs. */
    String negotiated() {
        return engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite();
    }
}

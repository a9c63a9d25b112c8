package org.protowrap.engine.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.engine.config.EdgeConfig.ProxyVersion;
import org.protowrap.engine.tls.BackendTls;

/**
 * One active health check of one backend on an event loop: connects, drives the sans-IO
 * {@link ProbeSession}, and reports a single verdict. No verdict before the server closes or the
 * timeout expires is a failure. After {@link #up} the bytes the session queued (a QUIT) are
 * written before the connection is closed, within the same timeout; after a failure it is reset.
 */
final class ProbeRun implements PeerEvents, ProbeActions {

    /** What a check found: passed, failed (and why), or nothing, because it could not run here. */
    record Verdict(Outcome outcome, String reason) {
        static final Verdict PASSED = new Verdict(Outcome.PASSED, "");

        static Verdict failed(String reason) {
            return new Verdict(Outcome.FAILED, reason);
        }

        boolean passed() {
            return outcome == Outcome.PASSED;
        }
    }

    /**
     * A check that could not be made for want of a local resource (file descriptors) says nothing
     * about the backend: it is {@link #SKIPPED}, neither passed nor failed.
     */
    enum Outcome { PASSED, FAILED, SKIPPED }

    private final EventLoop loop;
    private final LiveBackend backend;
    private final ProbeSession session;
    private final Duration timeout;
    private final Consumer<Verdict> done;
    private final Optional<BackendTls> tls;
    private final Optional<ProxyVersion> sendProxy;
    private final PendingBytes toServer = new PendingBytes();
    private Optional<Timers.Timer> timer = Optional.empty();
    private Peer peer;
    private boolean connected;
    private Optional<Verdict> verdict = Optional.empty();
    private boolean finished;

    ProbeRun(EventLoop loop, LiveBackend backend, Optional<BackendTls> tls, Optional<ProxyVersion> sendProxy, ProbeSession session,
            Duration timeout, Consumer<Verdict> done) {
        this.tls = tls;
        this.sendProxy = sendProxy;
        this.loop = loop;
        this.backend = backend;
        this.session = session;
        this.timeout = timeout;
        this.done = done;
    }

    /** Starts the check; on the loop's thread. */
    void start() {
        timer = Optional.of(loop.schedule(timeout.toNanos(), () -> fail("no verdict within " + timeout.toMillis() + "ms")));
        HostResolution.resolve(backend.host(), loop, this::dial, this::fail);
    }

    private void dial(InetAddress address) {
        if (finished) {
            return;
        }
        try {
            InetSocketAddress target = new InetSocketAddress(address, backend.port());
            peer = tls.isPresent()
                    ? TlsPeer.client(loop, tls.get().newEngine(backend.host(), backend.port()), this,
                            events -> SocketPeer.connect(loop, target, headerFirst(events, target)))
                    : SocketPeer.connect(loop, target, headerFirst(this, target));
        } catch (IOException e) {
            if (FileDescriptors.exhausted(e)) {
                finish(new Verdict(Outcome.SKIPPED, "cannot open a socket here: " + message(e)));
            } else {
                fail("connect: " + message(e));
            }
        }
    }

    private PeerEvents headerFirst(PeerEvents events, InetSocketAddress target) {
        return sendProxy.<PeerEvents>map(version -> new HeaderFirst(events,
                peer -> ProxyHeader.ownConnection(version, peer.localAddress(), target))).orElse(events);
    }

    @Override
    public void connected(Peer p) {
        guarded(() -> {
            connected = true;
            session.onConnected(this);
        });
    }

    @Override
    public void connectFailed(Peer p, IOException cause) {
        fail("connect: " + message(cause));
    }

    @Override
    public void readable(Peer p) {
        guarded(() -> {
            ByteBuffer data = loop.readBuffer();
            int n;
            try {
                n = peer.read(data);
            } catch (IOException e) {
                fail("reset by the server: " + message(e));
                return;
            }
            if (n < 0) {
                fail("closed by the server before a verdict");
            } else if (n > 0 && verdict.isEmpty()) {
                session.onServerData(data.flip(), this);
            }
        });
    }

    @Override
    public void writable(Peer p) {
        guarded(this::flush);
    }

    // ---- what the session answers

    @Override
    public void send(ByteBuffer bytes) {
        if (!finished && connected) {
            toServer.append(bytes);
            flush();
        }
        bytes.position(bytes.limit());
    }

    @Override
    public void up() {
        if (verdict.isEmpty()) {
            verdict = Optional.of(Verdict.PASSED);
        }
    }

    @Override
    public void down(String reason) {
        if (verdict.isEmpty()) {
            verdict = Optional.of(Verdict.failed(reason));
        }
    }

    // ---- the end

    /** Runs a step of the check; a session that throws fails it. Afterwards: done, or what to wait for. */
    private void guarded(Runnable step) {
        if (finished) {
            return;
        }
        try {
            step.run();
        } catch (RuntimeException e) {
            fail("the probe failed: " + e);
            return;
        }
        settle();
    }

    private void flush() {
        try {
            toServer.flushTo(peer);
        } catch (IOException e) {
            fail("write: " + message(e));
        }
    }

    private void settle() {
        if (finished) {
            return;
        }
        if (verdict.isPresent() && (!verdict.get().passed() || toServer.isEmpty())) {
            finish(verdict.get());
        } else if (connected) {
            peer.interest(true, !toServer.isEmpty());
        }
    }

    /** Ends the check; a verdict the session already gave stands (a QUIT that could not be written does not undo an up). */
    private void fail(String reason) {
        if (!finished) {
            finish(verdict.orElse(Verdict.failed(reason)));
        }
    }

    private void finish(Verdict result) {
        finished = true;
        timer.ifPresent(Timers.Timer::cancel);
        if (peer != null) {
            if (result.passed()) {
                peer.close();
            } else {
                peer.abort();
            }
        }
        done.accept(result);
    }

    private static String message(IOException e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}

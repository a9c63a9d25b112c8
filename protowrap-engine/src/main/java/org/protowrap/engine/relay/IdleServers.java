package org.protowrap.engine.relay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Backend connections that client connections left idle when they ended ({@code serverIdle} of
 * the validator's decisions), kept for the wrapper's {@code serverKeepAlive} so that a later
 * client of the same wrapper generation takes one instead of connecting. One per
 * {@link EventLoop}: a socket stays on the loop it is registered with.
 *
 * <p>A kept connection is read while it waits: anything the server sends (its close, a parting
 * {@code 408}) ends it, and it is read once more when taken, so that a close that arrived since
 * the last select is noticed before a client's bytes are sent on it. The most recently kept
 * connection is taken first. At most {@value #MAX_PER_BACKEND} per backend and loop.
 */
final class IdleServers {

    static final int MAX_PER_BACKEND = 64;

    /** One kept connection; it hears its peer's events while it waits. */
    private final class Kept implements PeerEvents {
        final Peer peer;
        final LiveBackend backend;
        final LiveWrapper wrapper;
        final long until;

        Kept(Peer peer, LiveBackend backend, LiveWrapper wrapper, long until) {
            this.peer = peer;
            this.backend = backend;
            this.wrapper = wrapper;
            this.until = until;
        }

        @Override
        public void readable(Peer p) {
            if (!alive(peer)) {
                drop(this);
            }
        }

        @Override
        public void writable(Peer p) {}
    }

    private final Map<LiveBackend, ArrayDeque<Kept>> byBackend = new HashMap<>();
    /** Where a kept connection is read; not the loop's read buffer, which may hold the bytes of the connection taking one. */
    private final ByteBuffer probe = ByteBuffer.allocate(1024);
    private int count;

    /** Keeps {@code peer}, idle and connected to {@code backend} for {@code wrapper}, until {@code until}; closes it if there is no room. */
    void keep(Peer peer, LiveBackend backend, LiveWrapper wrapper, long until) {
        ArrayDeque<Kept> kept = byBackend.computeIfAbsent(backend, b -> new ArrayDeque<>());
        if (kept.size() >= MAX_PER_BACKEND) {
            peer.close();
            return;
        }
        Kept entry = new Kept(peer, backend, wrapper, until);
        peer.retarget(entry);
        peer.interest(true, false);
        kept.addLast(entry);
        count++;
    }

    /**
     * An idle connection to {@code backend} kept for this very {@code wrapper} generation (its
     * settings are the ones the connection was made with), still open; its events go to
     * {@code events} from now on.
     */
    Optional<Peer> take(LiveBackend backend, LiveWrapper wrapper, PeerEvents events) {
        ArrayDeque<Kept> kept = byBackend.get(backend);
        while (kept != null && !kept.isEmpty()) {
            Kept entry = kept.pollLast();
            count--;
            if (entry.wrapper == wrapper && alive(entry.peer)) {
                entry.peer.retarget(events);
                entry.peer.interest(false, false);
                return Optional.of(entry.peer);
            }
            entry.peer.close();
        }
        return Optional.empty();
    }

    /** Closes the connections whose time is up; called every tick. */
    void expire(long now) {
        Iterator<ArrayDeque<Kept>> queues = byBackend.values().iterator();
        while (queues.hasNext()) {
            ArrayDeque<Kept> kept = queues.next();
            // not in the order of their ends: a reload may change serverKeepAlive
            kept.removeIf(entry -> {
                boolean due = now - entry.until >= 0;
                if (due) {
                    entry.peer.close();
                    count--;
                }
                return due;
            });
            if (kept.isEmpty()) {
                queues.remove();
            }
        }
    }

    /** Connections kept now. */
    int size() {
        return count;
    }

    private void drop(Kept entry) {
        ArrayDeque<Kept> kept = byBackend.get(entry.backend);
        if (kept != null && kept.remove(entry)) {
            count--;
        }
        entry.peer.close();
    }

    /** Whether an idle connection is still open with nothing unasked-for from the server. */
    private boolean alive(Peer peer) {
        try {
            return peer.read(probe.clear()) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}

/**
 * The relay: event loops, listeners, connections and their backends.
 *
 * <p>A fixed set of {@link org.protowrap.engine.relay.EventLoop}s (one per core) each own a
 * selector and one direct read buffer. A connection stays on one loop for life, so its validator
 * session is called from one thread and nothing needs a lock. Writes go out at once; only what a
 * socket does not take is queued, and a side is not read while the queue it feeds is non-empty.
 * Program backends ({@code destType: pipe}) and standard streams ({@code inetd}) are blocking,
 * so virtual threads move their bytes and hand them to the loop.
 *
 * <p>The loops also run the active health checks, as timers and non-blocking sockets, and each
 * connection reports what it sees of its backend (failed connects, protocol errors, connections
 * that ended well) to that backend's {@link org.protowrap.engine.health.BackendHealth}.
 */
package org.protowrap.engine.relay;

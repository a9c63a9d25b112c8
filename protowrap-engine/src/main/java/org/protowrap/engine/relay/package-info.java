/**
 * The relay: event loops, listeners, connections and their backends.
 *
 * <p>A fixed set of {@link org.protowrap.engine.relay.EventLoop}s (one per core) each own a
 * selector and one direct read buffer. A connection stays on one loop for life, so its validator
 * session is called from one thread and nothing needs a lock. Writes go out at once; only what a
 * socket does not take is queued, and a side is not read while the queue it feeds is non-empty.
 * Program backends ({@code destType: pipe}) and standard streams ({@code inetd}) are blocking,
 * so virtual threads move their bytes and hand them to the loop.
 */
package org.protowrap.engine.relay;

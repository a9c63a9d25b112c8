package org.protowrap.engine.relay;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.protowrap.engine.config.EdgeConfig.RateLimit;

/**
 * New connections per client address, as token buckets: {@code burst} tokens, one taken per
 * connection, refilled at {@code connections} per {@code per}. IPv6 clients are counted by their
 * /64, the block one subscriber usually has, so that walking the addresses of a prefix gains nothing.
 *
 * <p>Memory is bounded: a bucket that has refilled completely is the same as none and is dropped
 * when the table is swept (every {@link #SWEEP_EVERY} admissions, and whenever it is full). A
 * table still full of clients that are all being limited refuses new addresses too: that many
 * clients opening connections faster than the limit at once is a flood. Per process: several
 * instances each allow the rate. Thread-safe.
 */
final class RateLimiter {

    static final int MAX_CLIENTS = 65_536;
    static final int SWEEP_EVERY = 4096;

    /** Tokens are counted in nanoseconds of refill time: a connection costs {@code per / connections}. */
    private static final class Bucket {
        /** When the bucket is (or was) full again; tokens = (full - now) is the debt. */
        long fullAt;
    }

    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong admissions = new AtomicLong();
    private final int capacity;

    RateLimiter() {
        this(MAX_CLIENTS);
    }

    RateLimiter(int capacity) {
        this.capacity = capacity;
    }

    /** Takes a token for a connection from {@code client} at {@code now} (nanoseconds); false when none is left. */
    boolean admit(InetAddress client, RateLimit limit, long now) {
        long cost = limit.per().toNanos() / limit.connections();
        long window = cost * limit.burst();
        if (admissions.incrementAndGet() % SWEEP_EVERY == 0 || buckets.size() >= capacity) {
            sweep(now);
        }
        InetAddress key = key(client);
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= capacity) {
                return false;
            }
            bucket = buckets.computeIfAbsent(key, k -> new Bucket());
        }
        synchronized (bucket) {
            long start = Math.max(bucket.fullAt, now);
            if (start + cost - now > window) {
                return false;
            }
            bucket.fullAt = start + cost;
            return true;
        }
    }

    /** Clients with a bucket now. */
    int tracked() {
        return buckets.size();
    }

    private void sweep(long now) {
        buckets.values().removeIf(b -> {
            synchronized (b) {
                return b.fullAt <= now;
            }
        });
    }

    private static InetAddress key(InetAddress client) {
        if (client instanceof Inet6Address) {
            byte[] prefix = Arrays.copyOf(client.getAddress(), 16);
            Arrays.fill(prefix, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(prefix);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return client;
    }
}

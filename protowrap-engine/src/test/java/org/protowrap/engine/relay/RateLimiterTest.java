package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.protowrap.engine.config.EdgeConfig.RateLimit;

/** Token buckets per client address, on a clock the test moves. */
class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;
    private static final RateLimit TWO_PER_SECOND_BURST_FOUR = new RateLimit(2, Duration.ofSeconds(1), 4);

    @Test
    void aBurstThenTheRefillRate() throws Exception {
        RateLimiter limiter = new RateLimiter();
        InetAddress a = InetAddress.getByName("192.0.2.1");
        for (int i = 0; i < 4; i++) {
            assertTrue(limiter.admit(a, TWO_PER_SECOND_BURST_FOUR, 0), "burst " + i);
        }
        assertFalse(limiter.admit(a, TWO_PER_SECOND_BURST_FOUR, 0));
        assertFalse(limiter.admit(a, TWO_PER_SECOND_BURST_FOUR, SECOND / 2 - 1));
        assertTrue(limiter.admit(a, TWO_PER_SECOND_BURST_FOUR, SECOND / 2), "one token back after half a second");
        assertFalse(limiter.admit(a, TWO_PER_SECOND_BURST_FOUR, SECOND / 2));
        assertTrue(limiter.admit(InetAddress.getByName("192.0.2.2"), TWO_PER_SECOND_BURST_FOUR, 0), "another client");
    }

    @Test
    void ipv6ClientsShareTheirSlash64() throws Exception {
        RateLimiter limiter = new RateLimiter();
        RateLimit one = new RateLimit(1, Duration.ofMinutes(1), 1);
        assertTrue(limiter.admit(InetAddress.getByName("2001:db8::1"), one, 0));
        assertFalse(limiter.admit(InetAddress.getByName("2001:db8::ffff:2"), one, 0));
        assertTrue(limiter.admit(InetAddress.getByName("2001:db8:0:1::1"), one, 0));
    }

    @Test
    void memoryIsBoundedIdleBucketsGoAndAFullTableOfLimitedClientsRefusesNewOnes() throws Exception {
        RateLimiter limiter = new RateLimiter(100);
        RateLimit one = new RateLimit(1, Duration.ofSeconds(1), 1);
        for (int i = 0; i < 100; i++) {
            assertTrue(limiter.admit(InetAddress.getByName("10.0.0." + i), one, 0));
        }
        assertEquals(100, limiter.tracked());
        assertFalse(limiter.admit(InetAddress.getByName("10.0.1.1"), one, 0), "the table is full of limited clients");
        assertTrue(limiter.admit(InetAddress.getByName("10.0.1.1"), one, SECOND), "refilled buckets were dropped");
        assertEquals(1, limiter.tracked());
    }

    @Test
    void sweepsEveryFewThousandAdmissions() throws Exception {
        RateLimiter limiter = new RateLimiter();
        RateLimit many = new RateLimit(1000, Duration.ofSeconds(1), 1000);
        for (int i = 0; i < RateLimiter.SWEEP_EVERY; i++) {
            limiter.admit(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}), many, i * SECOND);
        }
        assertTrue(limiter.tracked() < 10, "idle buckets kept: " + limiter.tracked());
    }
}

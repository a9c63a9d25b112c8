package org.protowrap.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The controls at a wrapper's edge, as plain data: which clients may connect, how fast, and the
 * PROXY protocol on either side.
 *
 * @param allow clients allowed; empty allows everyone not denied
 * @param deny clients refused, checked before {@code allow}
 * @param tarpit how long a refused client waits for its refusal; zero refuses at once
 * @param rateLimit new connections per client address, if limited
 * @param proxyTrusted the peers whose PROXY header is read, if {@code proxyProtocol} is set: every
 *     connection must then start with one, and other peers are refused
 * @param sendProxy the PROXY header written on every backend connection, if set
 */
public record EdgeConfig(List<AddressRange> allow, List<AddressRange> deny, Duration tarpit,
        Optional<RateLimit> rateLimit, Optional<List<AddressRange>> proxyTrusted, Optional<ProxyVersion> sendProxy) {

    /** No controls: everyone allowed, no limit, no PROXY header either way. */
    public static final EdgeConfig NONE = new EdgeConfig(List.of(), List.of(), Duration.ZERO, Optional.empty(),
            Optional.empty(), Optional.empty());

    /**
     * A token bucket per client address: {@code burst} connections at once, refilled at
     * {@code connections} per {@code per}.
     */
    public record RateLimit(int connections, Duration per, int burst) {}

    /** The PROXY protocol's two versions: text (v1) and binary (v2). */
    public enum ProxyVersion { V1, V2 }
}

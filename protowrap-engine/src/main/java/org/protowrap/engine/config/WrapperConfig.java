package org.protowrap.engine.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.protowrap.api.RuleMode;

/**
 * One wrapper's settings, as plain data: two equal values describe the same wrapper (a reload
 * compares them to see what changed).
 *
 * @param name unique name, used in logs
 * @param protocol the validator's name
 * @param listenAddr address to bind
 * @param listenPort port to bind
 * @param destType ip or pipe
 * @param backends the {@code destAddr} entries (ip)
 * @param destCommand the program and its arguments (pipe)
 * @param balancer the balancer's name
 * @param balancerOptions the balancer's own options
 * @param maxLineLength the base rule
 * @param testReply whether the validator sees server replies
 * @param options the validator's own options
 * @param rules rule modes that differ from the validator's defaults
 * @param timeouts connect, idle, request and session timeouts
 * @param maxConnections connections at once through this wrapper
 * @param maxConnectionsPerClient connections at once from one client address; 0 for no limit
 * @param connectAttempts backends tried for one connection before giving up
 * @param healthCheck active health checking, if configured
 * @param tls TLS with the clients, if configured
 * @param destTls TLS with the backends, if configured
 * @param edge access lists, rate limit and the PROXY protocol
 */
public record WrapperConfig(
        String name,
        String protocol,
        String listenAddr,
        int listenPort,
        DestType destType,
        List<BackendAddress> backends,
        List<String> destCommand,
        String balancer,
        Map<String, Object> balancerOptions,
        int maxLineLength,
        boolean testReply,
        Map<String, Object> options,
        Map<String, RuleMode> rules,
        Timeouts timeouts,
        int maxConnections,
        int maxConnectionsPerClient,
        int connectAttempts,
        Optional<HealthCheckConfig> healthCheck,
        Optional<TlsConfig.Client> tls,
        Optional<TlsConfig.Backend> destTls,
        EdgeConfig edge) {}

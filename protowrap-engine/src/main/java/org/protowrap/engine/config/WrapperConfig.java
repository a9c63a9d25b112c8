package org.protowrap.engine.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.protowrap.api.RuleMode;

/**
 * One wrapper's settings, as plain data: two equal values describe the same wrapper (a reload
 * compares them, part by part, to see what changed).
 *
 * @param name unique name, used in logs
 * @param listen where clients connect
 * @param destination where their connections go
 * @param validation what the validator is built from
 * @param timeouts connect, idle, request, server and session timeouts
 * @param limits connections at once
 * @param tls TLS with the clients, if configured
 * @param edge access lists, rate limit and the PROXY protocol
 */
public record WrapperConfig(String name, Listen listen, Destination destination, Validation validation,
        Timeouts timeouts, Limits limits, Optional<TlsConfig.Client> tls, EdgeConfig edge) {

    /**
     * @param addr address to bind
     * @param port port to bind
     */
    public record Listen(String addr, int port) {}

    /**
     * @param type ip or pipe
     * @param backends the {@code destAddr} entries (ip)
     * @param command the program and its arguments (pipe)
     * @param balancer the balancer's name
     * @param balancerOptions the balancer's own options
     * @param connectAttempts backends tried for one connection before giving up
     * @param healthCheck active health checking, if configured
     * @param tls TLS with the backends, if configured
     */
    public record Destination(DestType type, List<BackendAddress> backends, List<String> command, String balancer,
            Map<String, Object> balancerOptions, int connectAttempts, Optional<HealthCheckConfig> healthCheck,
            Optional<TlsConfig.Backend> tls) {}

    /**
     * @param protocol the validator's name
     * @param maxLineLength the wrapper's {@code maxLineLength}, if it sets one
     * @param testReply whether the validator sees server replies
     * @param options the validator's own options
     * @param rules rule modes that differ from the validator's defaults
     */
    public record Validation(String protocol, OptionalInt maxLineLength, boolean testReply, Map<String, Object> options,
            Map<String, RuleMode> rules) {}

    /**
     * @param maxConnections connections at once through this wrapper
     * @param maxConnectionsPerClient connections at once from one client address; 0 for no limit
     */
    public record Limits(int maxConnections, int maxConnectionsPerClient) {}
}

package org.protowrap.engine.relay;

import java.net.InetAddress;
import java.util.Optional;
import org.protowrap.api.Refusal;
import org.protowrap.api.Validator;
import org.protowrap.engine.config.EdgeConfig;
import org.protowrap.engine.logging.DurationText;
import org.protowrap.engine.config.DestType;
import org.protowrap.engine.config.TlsConfig;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.metrics.WrapperMetrics;
import org.protowrap.engine.tls.BackendTls;
import org.protowrap.engine.tls.ServerTls;

/**
 * A wrapper as it runs: its configuration, validator and backends, and the connection counts
 * its limits are checked against. A reload that changes a wrapper builds a new generation of it;
 * the connections of the old one keep theirs, with its validator and backends, until they end,
 * and count against the limits together with the new one's.
 */
public final class LiveWrapper {

    private final Wrapper wrapper;
    private final Optional<BackendPool> pool;
    private final ConnectionCounts counts;
    private final AccessList access;
    private final RateLimiter rates;
    private final WrapperMetrics metrics;
    private final FileDescriptors descriptors;
    private final int descriptorsPerConnection;
    /** The generation a reload made of this wrapper, once there is one. */
    private volatile LiveWrapper successor;

    /** A wrapper whose state is its own (a single connection in {@code inetd} mode, tests). */
    public LiveWrapper(Wrapper wrapper) {
        this(wrapper, ProcessState.standalone());
    }

    /**
     * A generation of a wrapper over the state that outlives it: its backends' health, its
     * connection counts and metrics, kept across reloads, and the process's file descriptors.
     */
    public LiveWrapper(Wrapper wrapper, ProcessState state) {
        this.wrapper = wrapper;
        this.counts = state.counts(wrapper.name());
        this.access = new AccessList(wrapper.config().edge());
        this.rates = state.rates(wrapper.name());
        this.metrics = state.metrics().wrapper(wrapper.name());
        this.descriptors = state.descriptors();
        this.descriptorsPerConnection = descriptorsPerConnection(wrapper.config());
        this.pool = wrapper.balancing().map(b -> new BackendPool(wrapper.config(), b, state));
    }

    /** Records the generation a reload made of this one: see {@link #newest}. */
    public void succeededBy(LiveWrapper next) {
        if (next != this) {
            successor = next;
        }
    }

    /**
     * The newest generation of this wrapper: where a connection of an older one that connects
     * again (its backend was removed or failed) chooses among the backends the wrapper has now.
     */
    LiveWrapper newest() {
        LiveWrapper newest = this;
        while (newest.successor != null) {
            newest = newest.successor;
        }
        return newest;
    }

    /** What this wrapper counted, across its generations. */
    public WrapperMetrics metrics() {
        return metrics;
    }

    /** The descriptors one connection of a wrapper holds: its client socket and a backend socket, or a program's three pipes. */
    public static int descriptorsPerConnection(WrapperConfig config) {
        return config.destination().type() == DestType.IP ? 2 : 4;
    }

    public String name() {
        return wrapper.name();
    }

    public WrapperConfig config() {
        return wrapper.config();
    }

    Validator validator() {
        return wrapper.validator();
    }

    /** TLS from the client's first byte, if the wrapper has {@code tls} with {@code mode: implicit}. */
    Optional<ServerTls> implicitTls() {
        return wrapper.clientTls().filter(t -> wrapper.config().tls().map(c -> c.mode() == TlsConfig.Mode.IMPLICIT)
                .orElse(false));
    }

    /** TLS when the client asks with the protocol's command, if the wrapper has {@code tls} with {@code mode: starttls}. */
    Optional<ServerTls> startTls() {
        return wrapper.clientTls().filter(t -> wrapper.config().tls().map(c -> c.mode() == TlsConfig.Mode.STARTTLS)
                .orElse(false));
    }

    /** TLS towards the backends ({@code destTls}). */
    Optional<BackendTls> backendTls() {
        return wrapper.backendTls();
    }

    /** The backends, for {@code destType: ip}. */
    public Optional<BackendPool> pool() {
        return pool;
    }

    /** Connections open through this wrapper now, of every generation a reload made of it. */
    public int activeConnections() {
        return counts.active();
    }

    /**
     * Counts a new connection from {@code client} unless a limit of this generation's
     * configuration is reached.
     *
     * @return the name of the limit reached, if one is; the connection is then not counted
     */
    Optional<String> admit(InetAddress client) {
        if (!descriptors.take(descriptorsPerConnection)) {
            return Optional.of("file descriptors");
        }
        Optional<String> limit = counts.admit(client, config().limits());
        if (limit.isPresent()) {
            descriptors.give(descriptorsPerConnection);
        }
        return limit;
    }

    /** Why a client is turned away at the edge: the reason counted in metrics, the protocol's refusal, what the log says. */
    record Turned(String reason, Refusal refusal, String detail) {}

    /**
     * Checks {@code client} against the access lists, then takes a token from its rate limit
     * bucket at {@code now} (nanoseconds): a denied client costs no token.
     */
    Optional<Turned> screen(InetAddress client, long now) {
        Optional<String> denied = access.refuses(client);
        if (denied.isPresent()) {
            return Optional.of(new Turned("forbidden", Refusal.FORBIDDEN, denied.get()));
        }
        Optional<EdgeConfig.RateLimit> limit = config().edge().rateLimit();
        if (limit.isPresent() && !rates.admit(client, limit.get(), now)) {
            EdgeConfig.RateLimit l = limit.get();
            return Optional.of(new Turned("rateLimit", Refusal.RATE_LIMITED, "rateLimit reached (" + l.connections()
                    + " per " + DurationText.of(l.per()) + ", burst " + l.burst() + ")"));
        }
        return Optional.empty();
    }

    /** Whether the process has the file descriptors for one more connection: a hint, {@link #admit} decides. */
    boolean descriptorsLeft() {
        return descriptors.hasRoom(descriptorsPerConnection);
    }

    /** Uncounts a connection that {@link #admit} counted. */
    void release(InetAddress client) {
        counts.release(client);
        descriptors.give(descriptorsPerConnection);
    }
}

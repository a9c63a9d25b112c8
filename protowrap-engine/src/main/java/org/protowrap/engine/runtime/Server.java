package org.protowrap.engine.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.protowrap.engine.config.ConfigException;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.config.WrapperConfig;
import org.protowrap.engine.health.BackendHealth;
import org.protowrap.engine.health.HealthRegistry;
import org.protowrap.engine.health.HealthState;
import org.protowrap.engine.logging.DurationText;
import org.protowrap.engine.logging.AccessLog;
import org.protowrap.engine.logging.LogLevel;
import org.protowrap.engine.relay.FileDescriptors;
import org.protowrap.engine.relay.HealthChecks;
import org.protowrap.engine.admin.Operations;
import org.protowrap.engine.admin.Status;
import org.protowrap.engine.relay.LiveBackend;
import org.protowrap.engine.relay.Listener;
import org.protowrap.engine.relay.ProcessState;
import org.protowrap.engine.relay.LiveWrapper;
import org.protowrap.engine.relay.Relay;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every wrapper of a configuration, served by one {@link Relay}: binds them, starts them,
 * reloads the configuration (new wrappers start, removed ones stop listening, changed ones serve
 * new connections with their new settings from the same listening sockets; open connections keep
 * what they started with) and stops with a grace period for the connections in flight. Backend
 * health and connection counts are kept across reloads, by wrapper (and backend) name.
 *
 * <p>A reload runs with the privileges left after start: a wrapper moved to a new port below 1024
 * cannot be bound once they were dropped, and then keeps its previous address and settings until
 * a restart.
 */
public final class Server implements Operations {

    private static final Logger log = LoggerFactory.getLogger(Server.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final ConfigLoader loader;
    private final Relay relay;
    private final Map<String, Listener> listeners = new LinkedHashMap<>();
    private final Map<String, HealthChecks> checks = new LinkedHashMap<>();
    /** Wrappers an operator stopped, until started again or the next reload. */
    private final Map<String, LiveWrapper> stopped = new LinkedHashMap<>();
    private final Instant started = Instant.now();
    /** Backend health, connection counts and metrics by name, kept across reloads. */
    private final ProcessState state;
    private Configuration config;
    private boolean stopping;
    private volatile boolean hurry;

    private Server(ConfigLoader loader, Relay relay, Configuration config) {
        this.loader = loader;
        this.relay = relay;
        this.config = config;
        this.state = new ProcessState(relay.descriptors());
    }

    /**
     * Binds every wrapper's listening address; nothing is accepted before {@link #start}.
     *
     * @throws IOException naming the wrapper and address that could not be bound; nothing stays bound
     */
    public static Server bind(Configuration config, ConfigLoader loader, int threads) throws IOException {
        // pluginsDir takes effect at a restart only: reloads bind to the plugins loaded now
        Server server = new Server(loader.withPlugins(config.registry()), new Relay(threads), config);
        try {
            for (Wrapper w : config.wrappers()) {
                server.listeners.put(w.name(), server.bindOne(w));
            }
        } catch (IOException e) {
            server.abandon();
            throw e;
        }
        server.warnIfDescriptorsAreShort();
        return server;
    }

    /**
     * Warns when the file descriptor limit cannot hold every wrapper at its {@code maxConnections}:
     * past it, accepting pauses until connections end.
     */
    private void warnIfDescriptorsAreShort() {
        long capacity = relay.descriptors().capacity();
        long wanted = config.wrappers().stream()
                .mapToLong(w -> (long) w.config().limits().maxConnections()
                        * LiveWrapper.descriptorsPerConnection(w.config()))
                .sum();
        if (capacity != Long.MAX_VALUE && wanted > capacity) {
            long limit = FileDescriptors.softLimit().orElse(0);
            log.warn("the file descriptor limit (ulimit -n {}) leaves room for {} descriptors of connections, but "
                    + "the wrappers' maxConnections need {} (2 a connection, 4 with destType pipe); past it, "
                    + "accepting pauses until connections end. Raise the limit to at least {} (systemd: "
                    + "LimitNOFILE=) or lower maxConnections", limit, capacity, wanted, limit + wanted - capacity);
        }
    }

    private Listener bindOne(Wrapper w) throws IOException {
        try {
            return relay.bind(live(w));
        } catch (IOException e) {
            throw new IOException("wrapper " + w.name() + ": cannot listen on " + w.config().listen().addr() + ":"
                    + w.config().listen().port() + ": " + e.getMessage(), e);
        }
    }

    /** Starts the loops and accepting. */
    public void start() {
        relay.start();
        listeners.values().forEach(this::startListener);
    }

    private void startListener(Listener listener) {
        listener.start();
        checks.put(listener.wrapper().name(), relay.checkHealth(listener.wrapper()));
        WrapperConfig c = listener.wrapper().config();
        log.info("wrapper={} listening on {} protocol={} to {}", c.name(), listener.describe(),
                c.validation().protocol(),
                switch (c.destination().type()) {
                    case IP -> c.destination().backends().stream().map(b -> b.name()).toList().toString();
                    case PIPE -> String.join(" ", c.destination().command());
                });
    }

    /** The process as the admin endpoint shows it. */
    @Override
    public synchronized Status status() {
        List<Status.Wrapper> wrappers = new ArrayList<>();
        boolean ready = true;
        for (Wrapper w : config.wrappers()) {
            Optional<Listener> listener = Optional.ofNullable(listeners.get(w.name()));
            Optional<LiveWrapper> live = listener.map(Listener::wrapper).or(() -> Optional.ofNullable(stopped.get(w.name())));
            String listen = listener.map(Listener::describe)
                    .orElse(w.config().listen().addr() + ":" + w.config().listen().port());
            List<Status.Backend> backends = live.flatMap(LiveWrapper::pool).map(pool -> pool.backends().stream()
                    .map(Server::backendStatus).toList()).orElse(List.of());
            wrappers.add(new Status.Wrapper(w.name(), w.config().validation().protocol(), listen, listener.isPresent(),
                    live.map(LiveWrapper::activeConnections).orElse(0),
                    state.metrics().wrapper(w.name()).snapshot(), backends));
            ready &= listener.isPresent() || stopped.containsKey(w.name());
            ready &= Optional.ofNullable(checks.get(w.name())).map(HealthChecks::firstRoundDone).orElse(true);
        }
        Runtime runtime = Runtime.getRuntime();
        return new Status(Version.current(), started, ready && !stopping, wrappers, relay.loopBusyNanos(),
                FileDescriptors.openNow().orElse(-1), FileDescriptors.softLimit().orElse(-1),
                runtime.totalMemory() - runtime.freeMemory(), runtime.maxMemory());
    }

    private static Status.Backend backendStatus(LiveBackend b) {
        return new Status.Backend(b.name(), b.health().state().name().toLowerCase(Locale.ROOT),
                b.adminState().name().toLowerCase(Locale.ROOT), b.weight(), b.configuredWeight(), b.backup(),
                b.activeConnections(), b.metricsSnapshot(), b.health().recentTransitions());
    }

    /**
     * Stops accepting for a wrapper until {@link #startWrapper} or the next reload; its open
     * connections finish as they would.
     *
     * @return what was done, for the operator
     */
    @Override
    public synchronized String stopWrapper(String name, String who) {
        Listener listener = listeners.get(name);
        if (listener == null) {
            if (stopped.containsKey(name)) {
                throw new IllegalStateException("wrapper " + name + " is stopped already");
            }
            throw new NoSuchElementException("no wrapper " + name);
        }
        stopListening(listener);
        stopped.put(name, listener.wrapper());
        log.warn("admin: wrapper={} stopped by {}: no longer accepting; {} open connection(s) go on", name, who,
                listener.wrapper().activeConnections());
        return "wrapper " + name + " stopped";
    }

    /** Accepts again for a wrapper {@link #stopWrapper stopped}. */
    @Override
    public synchronized String startWrapper(String name, String who) throws IOException {
        LiveWrapper live = stopped.get(name);
        if (live == null) {
            if (listeners.containsKey(name)) {
                throw new IllegalStateException("wrapper " + name + " is listening already");
            }
            throw new NoSuchElementException("no wrapper " + name);
        }
        Listener listener = relay.bind(live);
        stopped.remove(name);
        listeners.put(name, listener);
        startListener(listener);
        log.warn("admin: wrapper={} started by {}", name, who);
        return "wrapper " + name + " listening on " + listener.describe();
    }

    /**
     * Sets what an operator wants of a backend until the next reload: drained (no new connections,
     * open ones finish), disabled (no new connections, open ones end at their next boundary), or
     * enabled.
     */
    @Override
    public synchronized String backendState(String wrapper, String backend, LiveBackend.AdminState next, String who) {
        LiveBackend b = backend(wrapper, backend);
        b.adminState(next);
        int draining = next == LiveBackend.AdminState.DISABLED ? relay.backendsRemoved(wrapper, Set.of(backend)) : 0;
        log.warn("admin: wrapper={} backend={} set to {} by {}{}", wrapper, backend,
                next.name().toLowerCase(Locale.ROOT), who,
                next == LiveBackend.AdminState.DISABLED ? "; " + draining + " open connection(s) end at their next boundary"
                        : next == LiveBackend.AdminState.DRAIN ? "; " + b.activeConnections() + " open connection(s) finish"
                        : "");
        return "backend " + backend + " of " + wrapper + " " + next.name().toLowerCase(Locale.ROOT);
    }

    /** Sets a backend's weight until the next reload; 0 goes back to the configured weight. */
    @Override
    public synchronized String backendWeight(String wrapper, String backend, int weight, String who) {
        LiveBackend b = backend(wrapper, backend);
        b.weightOverride(weight);
        log.warn("admin: wrapper={} backend={} weight set to {} by {}", wrapper, backend, b.weight(), who);
        return "backend " + backend + " of " + wrapper + " weight " + b.weight();
    }

    private LiveBackend backend(String wrapper, String backend) {
        Listener listener = listeners.get(wrapper);
        LiveWrapper live = listener != null ? listener.wrapper() : stopped.get(wrapper);
        if (live == null) {
            throw new NoSuchElementException("no wrapper " + wrapper);
        }
        return live.pool().flatMap(p -> p.find(backend))
                .orElseThrow(() -> new NoSuchElementException("wrapper " + wrapper + " has no backend " + backend));
    }

    /** Releases what {@link #bind} took, without serving. */
    public void abandon() {
        relay.start();
        listeners.values().stream().map(Listener::close).toList().forEach(CompletableFuture::join);
        relay.close();
    }

    /** The configuration being served. */
    public synchronized Configuration configuration() {
        return config;
    }

    /** Where a wrapper listens. */
    public synchronized Optional<InetSocketAddress> address(String wrapper) {
        return Optional.ofNullable(listeners.get(wrapper)).map(Listener::address);
    }

    /** The health of a backend of a wrapper, if it has one; for tests. */
    Optional<HealthState> backendHealth(String wrapper, String backend) {
        return state.health().find(wrapper, backend).map(BackendHealth::state);
    }

    /** Open connections, of current and replaced wrappers. */
    public int activeConnections() {
        return relay.activeConnections();
    }

    /** Bytes queued in connections, waiting for a slow side. */
    public long pendingBytes() {
        return relay.pendingBytes();
    }

    /**
     * Reads the configuration file again and applies it if it is valid; otherwise logs every
     * problem and keeps serving the running one.
     *
     * @return whether the new configuration was applied
     */
    public synchronized boolean reload() {
        if (stopping) {
            log.info("reload: ignored, the server is stopping");
            return false;
        }
        Configuration next;
        try {
            next = loader.load(config.settings().source());
        } catch (ConfigException e) {
            log.error("reload: {} has {} problem(s); still serving the previous configuration",
                    config.settings().source(), e.problems().size());
            e.problems().forEach(p -> log.error("reload:   {}", p));
            return false;
        }
        LogLevel.apply(next.settings().logLevel());
        AccessLog.use(next.settings().accessLog());
        next.warnings().forEach(w -> log.warn("reload: {}", w));
        apply(next);
        warnAboutRestartOnly(next);
        config = next;
        return true;
    }

    private void apply(Configuration next) {
        Map<String, Wrapper> wanted = new LinkedHashMap<>();
        next.wrappers().forEach(w -> wanted.put(w.name(), w));
        int changed = 0;
        int removed = 0;
        int unchanged = 0;
        for (Listener old : List.copyOf(listeners.values())) {
            Wrapper w = wanted.get(old.wrapper().name());
            if (w == null) {
                remove(old);
                removed++;
            } else if (w.config().equals(old.wrapper().config())) {
                unchanged++;
            } else {
                change(old, w);
                changed++;
            }
        }
        // what an operator changed lasts until a reload: stopped wrappers listen again
        stopped.clear();
        int added = 0;
        for (Wrapper w : next.wrappers()) {
            if (!listeners.containsKey(w.name()) && add(w)) {
                log.info("reload: wrapper={} added", w.name());
                added++;
            }
        }
        state.retainOnly(wanted.keySet(), next.wrappers().stream()
                .flatMap(w -> w.config().destination().backends().stream()
                        .map(b -> new HealthRegistry.Key(w.name(), b.name())))
                .toList());
        log.info("reload: applied {}: {} added, {} changed, {} removed, {} unchanged", next.settings().source(),
                added, changed, removed, unchanged);
    }

    private void remove(Listener old) {
        stopListening(old);
        int draining = relay.drain(old.wrapper().name());
        log.info("reload: wrapper={} removed; its {} open connection(s) end at their next boundary",
                old.wrapper().name(), draining);
    }

    private void stopListening(Listener old) {
        old.close().join();
        listeners.remove(old.wrapper().name());
        stopChecks(old.wrapper().name());
    }

    /**
     * A changed wrapper on the same address keeps its listening sockets and serves new connections
     * with the new settings: nothing is refused or reset by the reload. One that moves is bound at
     * its new address before the old one is closed; if it cannot be, the old listener goes on with
     * the previous settings (a port below 1024 after privileges were dropped, an address in use).
     */
    private void change(Listener old, Wrapper w) {
        WrapperConfig before = old.wrapper().config();
        String changes = String.join("; ", WrapperChanges.between(before, w.config()));
        if (sameAddress(before, w.config())) {
            stopChecks(w.name());
            old.serve(live(w));
            checks.put(w.name(), relay.checkHealth(old.wrapper()));
            log.info("reload: wrapper={} changed: {}; still listening on {}, open connections keep the previous "
                    + "settings", w.name(), changes, old.describe());
        } else if (!move(old, w)) {
            return;
        } else {
            log.info("reload: wrapper={} changed: {}; open connections keep the previous settings", w.name(), changes);
        }
        drainRemovedBackends(before, w.config());
    }

    /** Serves {@code w} at its new address instead of where {@code old} listens; false if it stays where it was. */
    private boolean move(Listener old, Wrapper w) {
        Listener moved;
        try {
            moved = relay.bind(live(w));
        } catch (IOException e) {
            if (!overlaps(old.wrapper().config(), w.config())) {
                log.error("reload: wrapper={} cannot listen on {}:{}: {}{}; still serving on {} with the previous "
                        + "settings", w.name(), w.config().listen().addr(), w.config().listen().port(), e.getMessage(),
                        privilegedHint(w), old.describe());
                return false;
            }
            // the old sockets hold the address (0.0.0.0 to 127.0.0.1 on one port): free it, then bind
            stopListening(old);
            return add(w);
        }
        old.wrapper().succeededBy(moved.wrapper());
        stopListening(old);
        listeners.put(w.name(), moved);
        startListener(moved);
        return true;
    }

    /**
     * Connections to backends the reload removed end at their next boundary (a keep-alive
     * connection would otherwise go on using a backend that is no longer configured).
     */
    private void drainRemovedBackends(WrapperConfig before, WrapperConfig after) {
        Set<String> removed = new HashSet<>();
        before.destination().backends().forEach(b -> removed.add(b.name()));
        after.destination().backends().forEach(b -> removed.remove(b.name()));
        if (!removed.isEmpty()) {
            int draining = relay.backendsRemoved(after.name(), removed);
            log.info("reload: wrapper={} {} connection(s) to removed backend(s) {} move to another backend or end"
                    + " at their next boundary",
                    after.name(), draining, removed);
        }
    }

    /** Starts serving a wrapper the running configuration did not have (or one freed of its old address). */
    private boolean add(Wrapper w) {
        try {
            Listener listener = relay.bind(live(w));
            listeners.put(w.name(), listener);
            startListener(listener);
            return true;
        } catch (IOException e) {
            log.error("reload: wrapper={} cannot listen on {}:{}: {}{}; it is not in service", w.name(),
                    w.config().listen().addr(), w.config().listen().port(), e.getMessage(), privilegedHint(w));
            return false;
        }
    }

    private static String privilegedHint(Wrapper w) {
        return w.config().listen().port() < 1024
                ? " (ports below 1024 can only be bound at start, before privileges are dropped: restart to apply)"
                : "";
    }

    /** A generation of {@code w} that shares the health, connection counts and metrics of those before it. */
    private LiveWrapper live(Wrapper w) {
        return new LiveWrapper(w, state);
    }

    private void stopChecks(String wrapper) {
        Optional.ofNullable(checks.remove(wrapper)).ifPresent(HealthChecks::stop);
    }

    private static boolean sameAddress(WrapperConfig a, WrapperConfig b) {
        return a.listen().equals(b.listen());
    }

    /** Whether two addresses could not both be bound: one port, and one address or a wildcard. */
    private static boolean overlaps(WrapperConfig a, WrapperConfig b) {
        return a.listen().port() == b.listen().port() && (a.listen().addr().equals(b.listen().addr())
                || isWildcard(a.listen().addr()) || isWildcard(b.listen().addr()));
    }

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]");
    }

    private void warnAboutRestartOnly(Configuration next) {
        var before = config.settings();
        var after = next.settings();
        if (!before.user().equals(after.user()) || !before.group().equals(after.group())
                || before.allowRoot() != after.allowRoot() || !before.pluginsDir().equals(after.pluginsDir())) {
            log.warn("reload: user, group, allowRoot and pluginsDir only take effect at a restart");
        }
    }

    /** Ends the grace period of a {@link #stop} in progress: the connections still open are cut now. */
    public void hurry() {
        hurry = true;
    }

    /**
     * Stops accepting, lets connections in flight finish for up to {@code shutdownGrace} (or until
     * {@link #hurry}), cuts the rest, and stops the loops.
     */
    public void stop() {
        Duration grace;
        synchronized (this) {
            stopping = true;
            listeners.values().stream().map(Listener::close).toList().forEach(CompletableFuture::join);
            listeners.clear();
            relay.drainAll();
            checks.values().forEach(HealthChecks::stop);
            checks.clear();
            grace = config.settings().shutdownGrace();
        }
        int inFlight = relay.activeConnections();
        log.info("stopping: no longer accepting; {} connection(s) in flight, waiting up to {}", inFlight,
                DurationText.of(grace));
        long deadline = System.nanoTime() + grace.toNanos();
        while (relay.activeConnections() > 0 && System.nanoTime() - deadline < 0 && !hurry) {
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int cut = relay.shutDownAll();
        relay.close();
        log.info("stopped: {} connection(s) drained, {} cut", Math.max(0, inFlight - cut), cut);
    }
}

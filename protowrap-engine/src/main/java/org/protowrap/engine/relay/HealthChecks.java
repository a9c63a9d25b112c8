package org.protowrap.engine.relay;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.protowrap.api.Backend;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.engine.config.EdgeConfig.ProxyVersion;
import org.protowrap.engine.config.HealthCheckConfig;
import org.protowrap.engine.tls.BackendTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active health checks of one wrapper: every {@code interval}, each backend is checked with
 * the probe the wrapper's validator offers, or, if it offers none, with a plain TCP connect. All
 * the wrapper's checks run on one event loop, as timers and non-blocking sockets: no thread per
 * backend. Verdicts go to each backend's {@link org.protowrap.engine.health.BackendHealth},
 * which does the rise and fall counting and logs the transitions.
 *
 * <p>Checks of one backend never overlap: the next one starts an interval after the previous one
 * started, or when it ended if it took longer. Stopped when its wrapper is removed or replaced
 * by a reload; the replacement's checks carry on with the same health.
 */
public final class HealthChecks {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    /** A wrapper without {@code healthCheck}, or without TCP backends: nothing to stop. */
    private static final HealthChecks NONE = new HealthChecks(Optional.empty(), List.of());

    private final Optional<EventLoop> loop;
    private final List<Schedule> schedules;

    private HealthChecks(Optional<EventLoop> loop, List<Schedule> schedules) {
        this.loop = loop;
        this.schedules = schedules;
    }

    /** Whether every backend has had its first check (true at once without checks): the wrapper is then ready. */
    public boolean firstRoundDone() {
        return schedules.stream().allMatch(Schedule::checkedOnce);
    }

    /** Starts checking the wrapper's backends on {@code loop}, if its configuration asks for it. */
    static HealthChecks start(LiveWrapper wrapper, EventLoop loop) {
        Optional<HealthCheckConfig> config = wrapper.config().destination().healthCheck();
        if (config.isEmpty() || wrapper.pool().isEmpty()) {
            return NONE;
        }
        HealthProbe probe = wrapper.validator().healthProbe().orElse(ConnectProbe.INSTANCE);
        log.info("wrapper={} health checks every {}ms (timeout {}ms, rise {}, fall {}): {}", wrapper.name(),
                config.get().interval().toMillis(), config.get().timeout().toMillis(), config.get().rise(),
                config.get().fall(), probe.description());
        List<Schedule> schedules = new ArrayList<>();
        for (LiveBackend backend : wrapper.pool().get().backends()) {
            schedules.add(new Schedule(loop, wrapper.name(), backend, wrapper.backendTls(),
                    wrapper.config().edge().sendProxy(), probe, config.get()));
        }
        loop.execute(() -> schedules.forEach(Schedule::run));
        return new HealthChecks(Optional.of(loop), List.copyOf(schedules));
    }

    /** Stops checking; a check in progress finishes but is not followed by another. */
    public void stop() {
        loop.ifPresent(l -> l.execute(() -> schedules.forEach(Schedule::stop)));
    }

    /** One backend's checks, one after the other. On the loop's thread only. */
    private static final class Schedule {
        private final EventLoop loop;
        private final String wrapper;
        private final LiveBackend backend;
        private final Optional<BackendTls> tls;
        /** With {@code sendProxy}, a check says it is ProtoWrap's own connection: see {@link ProxyHeader#ownConnection}. */
        private final Optional<ProxyVersion> sendProxy;
        private final HealthProbe probe;
        private final HealthCheckConfig config;
        private Optional<Timers.Timer> next = Optional.empty();
        private boolean stopped;
        private long started;
        private volatile boolean checkedOnce;

        Schedule(EventLoop loop, String wrapper, LiveBackend backend, Optional<BackendTls> tls, Optional<ProxyVersion> sendProxy,
                HealthProbe probe, HealthCheckConfig config) {
            this.tls = tls;
            this.sendProxy = sendProxy;
            this.loop = loop;
            this.wrapper = wrapper;
            this.backend = backend;
            this.probe = probe;
            this.config = config;
        }

        void run() {
            if (stopped) {
                return;
            }
            started = loop.now();
            ProbeSession session;
            try {
                session = probe.newSession(backend);
            } catch (RuntimeException e) {
                record(ProbeRun.Verdict.failed("the probe failed to start: " + e));
                return;
            }
            new ProbeRun(loop, backend, tls, sendProxy, session, config.timeout(), this::record).start();
        }

        private void record(ProbeRun.Verdict verdict) {
            if (stopped) {
                return;
            }
            checkedOnce = true;
            long tookMillis = (loop.now() - started) / 1_000_000L;
            switch (verdict.outcome()) {
                case PASSED -> {
                    log.debug("wrapper={} backend={} check passed in {}ms: {}", wrapper, backend.name(), tookMillis,
                            probe.description());
                    backend.health().checkPassed(probe.description());
                    backend.metrics().checkPassed();
                }
                case FAILED -> {
                    log.debug("wrapper={} backend={} check failed in {}ms: {}", wrapper, backend.name(), tookMillis,
                            verdict.reason());
                    backend.health().checkFailed(verdict.reason());
                    backend.metrics().checkFailed();
                }
                case SKIPPED -> {
                    log.warn("wrapper={} backend={} check skipped, not counted: {}", wrapper, backend.name(),
                            verdict.reason());
                    backend.metrics().checkSkipped();
                }
            }
            long wait = Math.max(0, started + config.interval().toNanos() - loop.now());
            next = Optional.of(loop.schedule(wait, this::run));
        }

        boolean checkedOnce() {
            return checkedOnce;
        }

        void stop() {
            stopped = true;
            next.ifPresent(Timers.Timer::cancel);
        }
    }

    /** For protocols without a probe: the backend is up if it accepts a TCP connection. */
    private enum ConnectProbe implements HealthProbe, ProbeSession {
        INSTANCE;

        @Override
        public String description() {
            return "TCP connect";
        }

        @Override
        public ProbeSession newSession(Backend backend) {
            return this;
        }

        @Override
        public void onConnected(ProbeActions actions) {
            actions.up();
        }

        @Override
        public void onServerData(ByteBuffer data, ProbeActions actions) {
            data.position(data.limit());
        }
    }
}

package org.protowrap.engine.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.protowrap.engine.admin.AdminServer;
import org.protowrap.engine.cli.Main;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.Settings;
import org.protowrap.engine.logging.AccessLog;
import org.protowrap.engine.logging.LogLevel;
import org.protowrap.engine.system.PrivilegeException;
import org.protowrap.engine.system.Privileges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code protowrap run}: binds every wrapper, drops privileges, serves until SIGTERM or SIGINT
 * (or {@link #requestStop}), reloads on SIGHUP, and drains before it returns. A second SIGTERM or
 * SIGINT while draining (Ctrl-C twice) cuts the connections still open.
 */
public final class RunMode {

    private static final Logger log = LoggerFactory.getLogger(RunMode.class);

    private final ConfigLoader loader;
    private final PrintStream err;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final SystemdNotify notify = SystemdNotify.fromEnvironment();
    private volatile Optional<Server> server = Optional.empty();

    public RunMode(ConfigLoader loader, PrintStream err) {
        this.loader = loader;
        this.err = err;
    }

    /** Serves the configuration until asked to stop; returns the exit code. */
    public int run(Configuration config) {
        Settings settings = config.settings();
        LogLevel.apply(settings.logLevel());
        AccessLog.use(settings.accessLog());
        Server bound;
        try {
            bound = Server.bind(config, loader, settings.ioThreads());
        } catch (IOException e) {
            err.println("protowrap: " + e.getMessage());
            return Main.FAILURE;
        }
        Optional<AdminServer> admin;
        try {
            admin = settings.admin().isPresent()
                    ? Optional.of(AdminServer.bind(settings.admin().get(), bound)) : Optional.empty();
        } catch (IOException e) {
            err.println("protowrap: " + e.getMessage());
            bound.abandon();
            return Main.FAILURE;
        }
        try {
            Privileges.settle(settings.user(), settings.group(), settings.allowRoot());
        } catch (PrivilegeException e) {
            err.println("protowrap: " + e.getMessage() + " (in " + settings.source() + ")");
            admin.ifPresent(AdminServer::stop);
            bound.abandon();
            return Main.FAILURE;
        }
        Signals signals = Signals.install(this);
        try {
            bound.start();
            admin.ifPresent(AdminServer::start);
            server = Optional.of(bound);
            log.info("protowrap running {} wrapper(s) from {}", config.wrappers().size(), settings.source());
            config.warnings().forEach(w -> log.warn("{}", w));
            notify.ready();
            awaitStop();
            notify.stopping();
            bound.stop();
        } finally {
            admin.ifPresent(AdminServer::stop);
            signals.close();
            server = Optional.empty();
        }
        return Main.OK;
    }

    private void awaitStop() {
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks {@link #run} to drain and return; asked again while draining, cuts what is left. */
    public void requestStop(String why) {
        if (stop.getCount() == 0) {
            log.info("{} again: cutting the connections still open", why);
            server.ifPresent(Server::hurry);
            return;
        }
        log.info("{}: stopping", why);
        stop.countDown();
    }

    /** Re-reads the configuration file (SIGHUP). */
    public void reload() {
        server.ifPresent(s -> {
            log.info("SIGHUP: reloading {}", s.configuration().settings().source());
            notify.reloading();
            s.reload();
            notify.ready();
        });
    }

    /** The server, while it runs. */
    public Optional<Server> server() {
        return server;
    }
}

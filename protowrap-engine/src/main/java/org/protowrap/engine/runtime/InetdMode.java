package org.protowrap.engine.runtime;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.Channel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.protowrap.engine.cli.Main;
import org.protowrap.engine.config.Configuration;
import org.protowrap.engine.config.Settings;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.logging.AccessLog;
import org.protowrap.engine.logging.LogLevel;
import org.protowrap.engine.relay.LiveWrapper;
import org.protowrap.engine.relay.Relay;
import org.protowrap.engine.system.PrivilegeException;
import org.protowrap.engine.system.Privileges;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code protowrap inetd}: serves exactly one connection whose client is this process's standard
 * input and output, as inetd, xinetd, systemd ({@code Accept=yes}) or socat start it. An inherited
 * socket is used as a socket; otherwise the two streams are. Standard output carries the protocol
 * only: {@code System.out} is pointed at standard error before anything can log.
 */
public final class InetdMode {

    private static final Logger log = LoggerFactory.getLogger(InetdMode.class);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Duration FLUSH_LIMIT = Duration.ofSeconds(30);

    private final PrintStream err;

    public InetdMode(PrintStream err) {
        this.err = err;
    }

    /** Takes standard output for the protocol; call before anything logs. */
    public static FileOutputStream claimStandardOutput() {
        System.setOut(System.err);
        return new FileOutputStream(FileDescriptor.out);
    }

    /** Serves one connection through the named wrapper; returns the exit code. */
    public int run(Configuration config, String wrapperName, FileOutputStream stdout) {
        Optional<Wrapper> wrapper = config.wrappers().stream().filter(w -> w.name().equals(wrapperName)).findFirst();
        if (wrapper.isEmpty()) {
            err.println("protowrap: " + config.settings().source() + " has no wrapper named '" + wrapperName
                    + "'; it has: " + String.join(", ", config.wrappers().stream().map(Wrapper::name).toList()));
            return Main.USAGE;
        }
        if (wrapper.get().config().edge().proxyTrusted().isPresent()) {
            err.println("protowrap: wrapper '" + wrapperName + "' has proxyProtocol, which inetd mode does not read: "
                    + "the balancer's connection ends at the superserver");
            return Main.USAGE;
        }
        Settings settings = config.settings();
        LogLevel.apply(settings.logLevel());
        AccessLog.use(settings.accessLog());
        try {
            Privileges.settle(settings.user(), settings.group(), settings.allowRoot());
        } catch (PrivilegeException e) {
            err.println("protowrap: " + e.getMessage() + " (in " + settings.source() + ")");
            return Main.FAILURE;
        }
        LiveWrapper live = new LiveWrapper(wrapper.get());
        try (Relay relay = new Relay(1)) {
            relay.start();
            Channel inherited = System.inheritedChannel();
            CompletableFuture<Void> written = CompletableFuture.completedFuture(null);
            if (inherited instanceof SocketChannel socket) {
                log.debug("inetd: the client is the inherited socket {}", socket.getRemoteAddress());
                relay.serve(live, socket);
            } else {
                log.debug("inetd: the client speaks on standard input and output");
                written = relay.serve(live, new FileInputStream(FileDescriptor.in), stdout);
            }
            while (live.activeConnections() > 0) {
                Thread.sleep(POLL);
            }
            // the last reply may still be on its way to standard output
            written.get(FLUSH_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            err.println("protowrap: cannot serve on standard input and output: " + e.getMessage());
            return Main.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            err.println("protowrap: standard output was not written in time: " + e.getMessage());
            return Main.FAILURE;
        }
        return Main.OK;
    }
}

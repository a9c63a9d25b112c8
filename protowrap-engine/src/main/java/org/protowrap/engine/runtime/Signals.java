package org.protowrap.engine.runtime;

import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads, SIGTERM and SIGINT stop with a grace period. The previous handlers come back
 * on {@link #close}. A signal the platform does not have (SIGHUP on Windows) is skipped; one the
 * parent process ignored (SIGHUP under nohup) cannot be handled by the JVM, and is reported.
 */
final class Signals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private record Installed(Signal signal, SignalHandler previous) {}

    private final List<Installed> installed = new ArrayList<>();

    private Signals() {}

    static Signals install(RunMode mode) {
        Signals signals = new Signals();
        // handlers run on the JVM's signal thread: hand the work over and return at once
        signals.handle("HUP", s -> Thread.ofVirtual().name("protowrap-reload").start(mode::reload));
        signals.handle("TERM", s -> mode.requestStop("SIGTERM"));
        signals.handle("INT", s -> mode.requestStop("SIGINT"));
        return signals;
    }

    private void handle(String name, SignalHandler handler) {
        try {
            Signal signal = new Signal(name);
            SignalHandler previous = Signal.handle(signal, handler);
            installed.add(new Installed(signal, previous));
            if (previous == SignalHandler.SIG_IGN) {
                // the JVM leaves a signal alone that the parent ignored (nohup, a shell's background job)
                log.warn("SIG{} was ignored when protowrap started (nohup, or a background job?); it will have"
                        + " no effect", name);
            }
        } catch (IllegalArgumentException e) {
            log.debug("signal {} is not available here", name);
        }
    }

    @Override
    public void close() {
        installed.forEach(i -> Signal.handle(i.signal(), i.previous()));
        installed.clear();
    }
}

package org.protowrap.engine.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads, SIGTERM and SIGINT stop with a grace period. The previous handlers come back
 * on {@link #close}. A signal the platform does not have (SIGHUP on Windows) is skipped; one the
 * parent process ignored (SIGHUP under nohup) cannot be handled by the JVM, and is reported.
 *
 * <p>The JDK has no supported API for signals; {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}, kept for this use) is the one deliberate exception to the rule that
 * the code uses supported APIs only. It is reached through method handles, so that the build can
 * fail on every compiler warning without a blanket exception for it.
 */
final class Signals implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private static final Api API = Api.find();

    private record Installed(Object signal, Object previous) {}

    private final List<Installed> installed = new ArrayList<>();

    private Signals() {}

    static Signals install(RunMode mode) {
        Signals signals = new Signals();
        // handlers run on the JVM's signal thread: hand the work over and return at once
        signals.handle("HUP", () -> Thread.ofVirtual().name("protowrap-reload").start(mode::reload));
        signals.handle("TERM", () -> mode.requestStop("SIGTERM"));
        signals.handle("INT", () -> mode.requestStop("SIGINT"));
        return signals;
    }

    private void handle(String name, Runnable action) {
        try {
            Object signal = API.signal.invoke(name);
            Object previous = API.handle.invoke(signal, API.handler(action));
            installed.add(new Installed(signal, previous));
            if (previous == API.ignored) {
                // the JVM leaves a signal alone that the parent ignored (nohup, a shell's background job)
                log.warn("SIG{} was ignored when protowrap started (nohup, or a background job?); it will have"
                        + " no effect", name);
            }
        } catch (IllegalArgumentException e) {
            log.debug("signal {} is not available here", name);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot handle SIG" + name, e);
        }
    }

    @Override
    public void close() {
        for (Installed i : installed) {
            try {
                API.handle.invoke(i.signal(), i.previous());
            } catch (Throwable e) {
                log.debug("could not restore the handler of {}", i.signal(), e);
            }
        }
        installed.clear();
    }

    /** {@code sun.misc.Signal}'s constructor and {@code handle}, and its handler interface. */
    private record Api(MethodHandle signal, MethodHandle handle, Class<?> handlerType, Object ignored) {

        static Api find() {
            try {
                Class<?> signalType = Class.forName("sun.misc.Signal");
                Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
                MethodHandles.Lookup lookup = MethodHandles.publicLookup();
                return new Api(
                        lookup.findConstructor(signalType, MethodType.methodType(void.class, String.class)),
                        lookup.findStatic(signalType, "handle", MethodType.methodType(handlerType, signalType, handlerType)),
                        handlerType,
                        handlerType.getField("SIG_IGN").get(null));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** A {@code SignalHandler} that runs {@code action}. */
        Object handler(Runnable action) {
            InvocationHandler calls = (proxy, method, args) -> switch (method.getName()) {
                case "handle" -> {
                    action.run();
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                case "toString" -> "protowrap signal handler";
                default -> throw new UnsupportedOperationException(method.getName());
            };
            return Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType}, calls);
        }
    }
}

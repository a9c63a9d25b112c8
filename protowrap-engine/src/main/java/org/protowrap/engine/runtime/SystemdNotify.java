package org.protowrap.engine.runtime;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a service manager (systemd, {@code Type=notify}) how the process is doing: one datagram
 * per state ({@code READY=1}, {@code RELOADING=1}, {@code STOPPING=1}) to the unix datagram
 * socket named by {@code NOTIFY_SOCKET}, a path or an abstract name starting with {@code @}.
 *
 * <p>{@code java.nio} has no unix datagram channel, so the datagram goes through the C library
 * ({@code socket}, {@code sendto}, {@code close}) with the Foreign Function and Memory API; Linux
 * only, which is where {@code NOTIFY_SOCKET} is set. Without {@code NOTIFY_SOCKET} nothing is
 * done; a message that cannot be sent is logged and otherwise ignored: the service manager then
 * times out, which is its business, and serving goes on.
 */
// restricted methods: the launcher and the tests pass --enable-native-access=org.protowrap.engine
@SuppressWarnings("restricted")
final class SystemdNotify {

    private static final Logger log = LoggerFactory.getLogger(SystemdNotify.class);

    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    /** {@code sizeof(struct sockaddr_un)} on Linux: a 2-byte family and 108 bytes of path. */
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int SUN_PATH_SIZE = 108;

    private final Optional<String> socket;

    SystemdNotify(Optional<String> socket) {
        this.socket = socket;
    }

    /** The notifier for this process: {@code NOTIFY_SOCKET} from the environment, if set. */
    static SystemdNotify fromEnvironment() {
        return new SystemdNotify(Optional.ofNullable(System.getenv("NOTIFY_SOCKET")).filter(s -> !s.isEmpty()));
    }

    /** Every listener is bound and serving. */
    void ready() {
        send("READY=1\nSTATUS=serving");
    }

    /** A reload starts; {@link #ready} says it ended. */
    void reloading() {
        // MONOTONIC_USEC: systemd matches the reload to its request by this time; nanoTime is CLOCK_MONOTONIC on Linux
        send("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" + System.nanoTime() / 1000);
    }

    /** Shutdown has begun: no new connections, the open ones drain. */
    void stopping() {
        send("STOPPING=1\nSTATUS=draining");
    }

    private void send(String message) {
        socket.ifPresent(path -> {
            try {
                int errno = Native.send(path, message.getBytes(StandardCharsets.UTF_8));
                if (errno != 0) {
                    log.warn("cannot notify the service manager at {}: errno {}", path, errno);
                }
            } catch (RuntimeException | LinkageError e) {
                log.warn("cannot notify the service manager at {}: {}", path, e.toString());
            }
        });
    }

    /** The C calls, looked up only when a message is to be sent. */
    private static final class Native {

        private static final Linker LINKER = Linker.nativeLinker();
        private static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
        private static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        private static final MethodHandle SOCKET = function("socket",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT));
        private static final MethodHandle SENDTO = function("sendto",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        private static final MethodHandle CLOSE = LINKER.downcallHandle(
                LINKER.defaultLookup().find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

        private static MethodHandle function(String name, FunctionDescriptor descriptor) {
            MemorySegment symbol = LINKER.defaultLookup().find(name)
                    .orElseThrow(() -> new UnsupportedOperationException("the C library has no " + name));
            return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
        }

        /** Sends one datagram to {@code path}; returns 0 or errno. */
        static int send(String path, byte[] message) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment address = sockaddr(arena, path);
                MemorySegment state = arena.allocate(ERRNO_STATE);
                int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0) {
                    return (int) ERRNO.get(state, 0L);
                }
                try {
                    MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, message);
                    long sent = (long) SENDTO.invokeExact(state, fd, data, (long) message.length, 0, address,
                            (int) address.byteSize());
                    return sent < 0 ? (int) ERRNO.get(state, 0L) : 0;
                } finally {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        /**
         * A {@code struct sockaddr_un} for a path, or for an abstract name ({@code @name}: a
         * leading NUL, and a length that counts exactly the name's bytes).
         */
        private static MemorySegment sockaddr(Arena arena, String path) {
            byte[] name = path.getBytes(StandardCharsets.UTF_8);
            boolean abstractName = name[0] == '@';
            if (abstractName) {
                name[0] = 0;
            }
            if (name.length >= SUN_PATH_SIZE) {
                throw new IllegalArgumentException("NOTIFY_SOCKET is longer than " + (SUN_PATH_SIZE - 1) + " bytes");
            }
            MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, 2, name.length);
            // a path is NUL-terminated (the zeroed segment has it); an abstract name is not
            return abstractName ? address.asSlice(0, 2 + name.length) : address;
        }
    }
}

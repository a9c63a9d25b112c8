package org.protowrap.engine.system;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * The few C library calls that switching users needs, through the Foreign Function and Memory
 * API. Only the leading fields of {@code struct passwd} and {@code struct group} are read; their
 * offsets are the same on 64-bit Linux and the BSDs (macOS). Not available on Windows.
 *
 * <p>glibc applies {@code setuid}, {@code setgid} and {@code setgroups} to every thread of the
 * process, as POSIX requires, so the JVM's existing threads change identity too.
 */
// restricted methods: calling C is this class's whole purpose; the launcher and the tests pass
// --enable-native-access=org.protowrap.engine
@SuppressWarnings("restricted")
final class Libc {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final StructLayout PASSWD = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("pw_name"),
            ValueLayout.ADDRESS.withName("pw_passwd"),
            ValueLayout.JAVA_INT.withName("pw_uid"),
            ValueLayout.JAVA_INT.withName("pw_gid"));
    private static final StructLayout GROUP = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("gr_name"),
            ValueLayout.ADDRESS.withName("gr_passwd"),
            ValueLayout.JAVA_INT.withName("gr_gid"));

    private static final MethodHandle GETPWNAM = function("getpwnam", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS), false);
    private static final MethodHandle GETGRNAM = function("getgrnam", FunctionDescriptor.of(ValueLayout.ADDRESS,
            ValueLayout.ADDRESS), false);
    private static final MethodHandle GETEUID = function("geteuid", FunctionDescriptor.of(ValueLayout.JAVA_INT), false);
    private static final MethodHandle GETEGID = function("getegid", FunctionDescriptor.of(ValueLayout.JAVA_INT), false);
    private static final MethodHandle SETGROUPS = function("setgroups", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG, ValueLayout.ADDRESS), true);
    private static final MethodHandle SETGID = function("setgid", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT), true);
    private static final MethodHandle SETUID = function("setuid", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT), true);

    /** A user's ids from the user database. */
    record User(int uid, int gid) {}

    private Libc() {}

    private static MethodHandle function(String name, FunctionDescriptor descriptor, boolean errno) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsupportedOperationException("the C library has no " + name));
        return errno ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    static Optional<User> user(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = (MemorySegment) GETPWNAM.invokeExact(arena.allocateFrom(name));
            if (entry.equals(MemorySegment.NULL)) {
                return Optional.empty();
            }
            MemorySegment passwd = entry.reinterpret(PASSWD.byteSize());
            return Optional.of(new User(passwd.get(ValueLayout.JAVA_INT, PASSWD.byteOffset(
                    MemoryLayout.PathElement.groupElement("pw_uid"))), passwd.get(ValueLayout.JAVA_INT,
                    PASSWD.byteOffset(MemoryLayout.PathElement.groupElement("pw_gid")))));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Optional<Integer> group(String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = (MemorySegment) GETGRNAM.invokeExact(arena.allocateFrom(name));
            if (entry.equals(MemorySegment.NULL)) {
                return Optional.empty();
            }
            MemorySegment group = entry.reinterpret(GROUP.byteSize());
            return Optional.of(group.get(ValueLayout.JAVA_INT,
                    GROUP.byteOffset(MemoryLayout.PathElement.groupElement("gr_gid"))));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int effectiveUid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int effectiveGid() {
        try {
            return (int) GETEGID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Makes {@code gid} the only supplementary group; returns 0 or errno. */
    static int setgroups(int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(ERRNO_STATE);
            MemorySegment list = arena.allocateFrom(ValueLayout.JAVA_INT, gid);
            int result = (int) SETGROUPS.invokeExact(state, 1L, list);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns 0 or errno. */
    static int setgid(int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(ERRNO_STATE);
            int result = (int) SETGID.invokeExact(state, gid);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Returns 0 or errno. */
    static int setuid(int uid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(ERRNO_STATE);
            int result = (int) SETUID.invokeExact(state, uid);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}

package org.protowrap.engine.system;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The original wrapper's rule: bind the (possibly privileged) ports as root, then serve as an
 * unprivileged user, and refuse to serve as root unless told to. Called once every listener is
 * bound. Order: supplementary groups, group, then user, since after {@code setuid} the process
 * could no longer change its groups.
 *
 * <p>Needs the C library through the FFM API ({@code --enable-native-access=org.protowrap.engine});
 * on a platform without it, naming a user is an error and the root check is skipped.
 */
public final class Privileges {

    private static final Logger log = LoggerFactory.getLogger(Privileges.class);

    private Privileges() {}

    /**
     * Switches to {@code user} (and {@code group}, or the user's own group) if one is given, then
     * checks that the process does not serve as root unless {@code allowRoot}.
     *
     * @return the identity the process now has, for the log
     * @throws PrivilegeException if the user or group is unknown, a switch fails, or the process
     *     would serve as root without {@code allowRoot}
     */
    public static String settle(Optional<String> user, Optional<String> group, boolean allowRoot)
            throws PrivilegeException {
        int uid;
        try {
            if (user.isPresent()) {
                switchTo(user.get(), group);
            }
            uid = Libc.effectiveUid();
        } catch (UnsupportedOperationException | LinkageError e) {
            if (user.isPresent()) {
                throw new PrivilegeException("cannot switch to user " + user.get() + " on this platform: " + e.getMessage());
            }
            log.debug("no C library to ask for the user id: {}", e.getMessage());
            return "the starting user";
        }
        if (uid == 0 && !allowRoot) {
            throw new PrivilegeException("refusing to serve as root: set 'user:' to an unprivileged user to switch to"
                    + " after binding, or 'allowRoot: true' to serve as root anyway");
        }
        String identity = user.orElse(uid == 0 ? "root" : "the starting user") + " (uid " + uid + ", gid "
                + Libc.effectiveGid() + ")";
        log.info("serving as {}", identity);
        return identity;
    }

    /** Why {@code user} cannot be switched to, if it is given and the user database lacks it. */
    public static Optional<String> unknownUser(Optional<String> user) {
        return user.filter(name -> lookup(() -> Libc.user(name).isEmpty())).map(name -> "user '" + name + "' does not exist");
    }

    /** Why {@code group} cannot be switched to, if it is given and the group database lacks it. */
    public static Optional<String> unknownGroup(Optional<String> group) {
        return group.filter(name -> lookup(() -> Libc.group(name).isEmpty()))
                .map(name -> "group '" + name + "' does not exist");
    }

    /** A look-up that cannot be made (no C library) finds nothing wrong: the switch itself says why. */
    private static boolean lookup(java.util.function.BooleanSupplier missing) {
        try {
            return missing.getAsBoolean();
        } catch (UnsupportedOperationException | LinkageError e) {
            return false;
        }
    }

    private static void switchTo(String user, Optional<String> group) throws PrivilegeException {
        Libc.User entry = Libc.user(user)
                .orElseThrow(() -> new PrivilegeException("user '" + user + "' does not exist"));
        int gid = group.isEmpty() ? entry.gid() : Libc.group(group.get())
                .orElseThrow(() -> new PrivilegeException("group '" + group.get() + "' does not exist"));
        if (Libc.effectiveUid() == entry.uid() && Libc.effectiveGid() == gid) {
            return;
        }
        check(Libc.setgroups(gid), "setgroups to " + gid);
        check(Libc.setgid(gid), "setgid to " + gid);
        check(Libc.setuid(entry.uid()), "setuid to " + user + " (" + entry.uid() + ")");
    }

    private static void check(int errno, String what) throws PrivilegeException {
        if (errno != 0) {
            throw new PrivilegeException(what + " failed: errno " + errno
                    + (errno == 1 ? " (EPERM: only root can switch users)" : ""));
        }
    }
}

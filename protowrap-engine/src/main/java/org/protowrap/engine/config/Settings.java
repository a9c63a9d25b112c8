package org.protowrap.engine.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The whole configuration file as plain data.
 *
 * @param source the file it was read from
 * @param logLevel 0 errors only .. 5 every byte
 * @param pluginsDir the plugins folder, resolved against the image home
 * @param user the user to switch to after binding listeners, if any
 * @param group the group to switch to, if any (default: the user's)
 * @param allowRoot whether serving as root is allowed
 * @param shutdownGrace how long in-flight connections may go on after SIGTERM
 * @param ioThreads how many event loops serve the connections; read at start only, a reload keeps the running ones
 * @param wrappers the wrappers, in file order
 * @param admin the operations endpoint, if configured
 * @param accessLog how access lines are written
 */
public record Settings(
        Path source,
        int logLevel,
        Path pluginsDir,
        Optional<String> user,
        Optional<String> group,
        boolean allowRoot,
        Duration shutdownGrace,
        int ioThreads,
        List<WrapperConfig> wrappers,
        Optional<AdminConfig> admin,
        AccessLogFormat accessLog) {}

package org.protowrap.engine.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration's {@code logLevel}, 0..5, as the original wrapper defined it, mapped onto
 * the {@code org.protowrap} loggers:
 *
 * <ul>
 *   <li>0: errors only
 *   <li>1: warnings, rejections
 *   <li>2: normal operation: one line per connection (the default)
 *   <li>3 and 4: debugging: connects, backend choices, health checks. Message content is not
 *       logged at these levels yet (it needs the validators to say where credentials are);
 *       only the redacted excerpts of violations, as at every level
 *   <li>5: every byte, unredacted
 * </ul>
 *
 * Code logs through slf4j and asks {@link #atLeast} before building expensive messages. Only
 * {@link #apply} knows logback, and only if logback is the slf4j binding.
 */
public final class LogLevel {

    private static final Logger log = LoggerFactory.getLogger(LogLevel.class);
    private static volatile int current = 2;

    private LogLevel() {}

    /** Sets the level of the {@code org.protowrap} loggers and warns when content will be logged. */
    public static void apply(int logLevel) {
        current = logLevel;
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.getLogger("org.protowrap").setLevel(switch (logLevel) {
                case 0 -> Level.ERROR;
                case 1 -> Level.WARN;
                case 2 -> Level.INFO;
                case 3, 4 -> Level.DEBUG;
                default -> Level.TRACE;
            });
        }
        if (logLevel >= 5) {
            log.warn("logLevel {}: every byte of every connection will be logged, message content and "
                    + "credentials included", logLevel);
        } else if (logLevel >= 3) {
            log.warn("logLevel {}: debugging output; message content is logged only at logLevel 5", logLevel);
        }
    }

    /** Whether the configured level is at least {@code level}. */
    public static boolean atLeast(int level) {
        return current >= level;
    }
}

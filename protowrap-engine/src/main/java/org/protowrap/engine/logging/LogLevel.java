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
 *   <li>3: debugging (connects, backend choices, health checks) and message content: the first
 *       {@value #CONTENT_BYTES_AT_3} bytes of each unit sent on to the server (commands, request heads, pieces of bodies).
 *       Units that carry credentials (the validator marks them: AUTH exchanges, Authorization and
 *       Cookie headers) and bytes relayed raw are logged as a count only
 *   <li>4: the same, up to {@value #CONTENT_BYTES_AT_4} bytes of each unit
 *   <li>5: every byte, unredacted
 * </ul>
 *
 * Code logs through slf4j and asks {@link #atLeast} before building expensive messages. Only
 * {@link #apply} knows logback, and only if logback is the slf4j binding.
 */
public final class LogLevel {

    private static final Logger log = LoggerFactory.getLogger(LogLevel.class);
    private static volatile int current = 2;

    /** Bytes of each unit sent on to the server that logLevel 3 logs. */
    public static final int CONTENT_BYTES_AT_3 = 200;
    /** Bytes of each unit sent on to the server that logLevel 4 logs. */
    public static final int CONTENT_BYTES_AT_4 = 4096;

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
            log.warn("logLevel {}: message content will be logged ({} of each unit sent on to the server); "
                    + "credentials the validators mark are left out, replies are logged at logLevel 5 only",
                    logLevel, "up to " + (logLevel == 3 ? CONTENT_BYTES_AT_3 : CONTENT_BYTES_AT_4) + " bytes");
        }
    }

    /** Whether the configured level is at least {@code level}. */
    public static boolean atLeast(int level) {
        return current >= level;
    }
}

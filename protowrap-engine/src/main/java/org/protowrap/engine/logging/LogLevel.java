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
 *   <li>3: debugging: protocol units, including message content and credentials as redacted
 *       by the validators
 *   <li>4: more debugging: engine internals
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
        if (logLevel >= 3) {
            log.warn("logLevel {}: message content{} will be logged", logLevel,
                    logLevel >= 5 ? " and credentials, every byte unredacted," : " (credentials redacted)");
        }
    }

    /** Whether the configured level is at least {@code level}. */
    public static boolean atLeast(int level) {
        return current >= level;
    }
}

package org.protowrap.engine.logging;

import org.protowrap.engine.config.AccessLogFormat;

/**
 * The process-wide format of access lines (the {@code accessLog} key), set at start and at each
 * reload like the {@linkplain LogLevel log level}; the lines themselves go to the logger
 * {@value #LOGGER}, so that logback can send them to a file or a shipper of their own.
 */
public final class AccessLog {

    public static final String LOGGER = "org.protowrap.access";

    private static volatile AccessLogFormat format = AccessLogFormat.TEXT;

    private AccessLog() {}

    public static void use(AccessLogFormat next) {
        format = next;
    }

    public static AccessLogFormat format() {
        return format;
    }
}

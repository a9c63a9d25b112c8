package org.protowrap.engine.config;

/** How access lines (one per connection, one per exchange) are written: {@code key=value} text, or one JSON object each. */
public enum AccessLogFormat {
    TEXT,
    JSON
}

package org.protowrap.engine.config;

/** Where a wrapper forwards to. */
public enum DestType {
    /** TCP backends from {@code destAddr}. */
    IP,
    /** A program from {@code destCommand}, started per connection and spoken to on stdin/stdout. */
    PIPE
}

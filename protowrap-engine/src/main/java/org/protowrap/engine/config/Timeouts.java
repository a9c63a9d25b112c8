package org.protowrap.engine.config;

import java.time.Duration;

/**
 * A wrapper's timeouts. {@link Duration#ZERO} means none.
 *
 * @param connect connecting to one backend
 * @param idle no byte in either direction
 * @param request from accept to the client's first complete unit reaching the backend
 *     (slow-loris protection)
 * @param session the whole connection
 */
public record Timeouts(Duration connect, Duration idle, Duration request, Duration session) {}

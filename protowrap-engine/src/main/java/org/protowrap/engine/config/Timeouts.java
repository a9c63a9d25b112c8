package org.protowrap.engine.config;

import java.time.Duration;

/**
 * A wrapper's timeouts. {@link Duration#ZERO} means none.
 *
 * @param connect connecting to one backend
 * @param idle no byte in either direction
 * @param request from accept to the client's first complete unit reaching the backend, and each
 *     later unit the validator times (slow-loris protection)
 * @param session the whole connection
 * @param server how long a server that owes an answer may stay silent
 * @param serverKeepAlive how long a backend connection left idle when its client's ended is kept
 *     for another client; zero: never reused
 */
public record Timeouts(Duration connect, Duration idle, Duration request, Duration session, Duration server,
        Duration serverKeepAlive) {}

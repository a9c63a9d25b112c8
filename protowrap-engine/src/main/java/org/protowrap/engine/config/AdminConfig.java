package org.protowrap.engine.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code admin:} section: where the operations endpoint listens, and the file holding the
 * bearer token every POST must carry (no POST is accepted without one).
 *
 * @param listenAddr the address, loopback unless written otherwise
 * @param listenPort the port
 * @param tokenFile the token's file, read at each POST so that a new token needs no restart
 */
public record AdminConfig(String listenAddr, int listenPort, Optional<Path> tokenFile) {}

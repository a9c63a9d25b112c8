package org.protowrap.engine.admin;

import java.io.IOException;
import java.util.NoSuchElementException;
import org.protowrap.engine.relay.LiveBackend;

/**
 * What the admin endpoint can see and do of the running process. Each control is logged by the
 * implementation with {@code who} (the requesting peer), and lasts until the next reload.
 * Unknown wrappers and backends are {@link NoSuchElementException}s, a wrapper stopped or started
 * twice an {@link IllegalStateException}, each with a message that says so.
 */
public interface Operations {

    Status status();

    String stopWrapper(String wrapper, String who);

    /** @throws IOException if its address cannot be bound again (a port below 1024 after privileges were dropped) */
    String startWrapper(String wrapper, String who) throws IOException;

    String backendState(String wrapper, String backend, LiveBackend.AdminState state, String who);

    String backendWeight(String wrapper, String backend, int weight, String who);
}

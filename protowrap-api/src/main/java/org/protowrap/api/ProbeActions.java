package org.protowrap.api;

import java.nio.ByteBuffer;

/** What a {@link ProbeSession} answers with. Implemented by the engine. */
public interface ProbeActions {

    /** Send bytes to the backend. */
    void send(ByteBuffer bytes);

    /** The backend is healthy. The engine closes the connection after sending what is queued. */
    void up();

    /** The backend is not healthy, and why (logged on a state change). */
    void down(String reason);
}

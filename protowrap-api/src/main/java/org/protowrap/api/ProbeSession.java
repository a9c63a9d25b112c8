package org.protowrap.api;

import java.nio.ByteBuffer;

/**
 * One health check conversation with one backend, without I/O. The same threading and buffer
 * rules as {@link ValidatorSession} apply. A session that has not called
 * {@link ProbeActions#up} or {@link ProbeActions#down} when the server closes or the timeout
 * expires counts as down.
 */
public interface ProbeSession {

    /** The connection is established; send the first request here if the client speaks first. */
    void onConnected(ProbeActions actions);

    /** Bytes from the backend. */
    void onServerData(ByteBuffer data, ProbeActions actions);
}

package org.protowrap.engine.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback ports for the engine's tests: free ones, and connecting once something listens. */
public final class Loopback {

    private Loopback() {}

    /** A port that was free a moment ago. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Connects to 127.0.0.1:port, retrying for about twenty seconds while nothing listens yet (a
     * busy machine can take that long to start a server); the socket's reads time out after 15 s
     * so that a test never hangs on them.
     */
    public static Socket connectWhenListening(int port) throws IOException, InterruptedException {
        for (int i = 0; ; i++) {
            try {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
                socket.setSoTimeout(15_000);
                return socket;
            } catch (ConnectException e) {
                if (i > 2000) {
                    throw e;
                }
                Thread.sleep(10);
            }
        }
    }
}

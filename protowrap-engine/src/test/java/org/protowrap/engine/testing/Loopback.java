package org.protowrap.engine.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import org.protowrap.testkit.Eventually;

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
        return Eventually.await(Duration.ofSeconds(20), () -> connect(port), () -> "nothing listens on 127.0.0.1:" + port);
    }

    private static Optional<Socket> connect(int port) throws IOException {
        try {
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(15_000);
            return Optional.of(socket);
        } catch (ConnectException refused) {
            return Optional.empty();
        }
    }
}

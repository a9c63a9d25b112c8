package org.protowrap.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.protowrap.testkit.Eventually;

/** Loopback ports for tests: free ones to listen on, and waiting until something listens. */
final class Ports {

    private Ports() {}

    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until a TCP connect to 127.0.0.1:port succeeds; fails the test after {@code timeout}. */
    static void awaitListening(int port, Duration timeout, String what) throws InterruptedException {
        if (!Eventually.poll(timeout, () -> listening(port), Boolean::booleanValue)) {
            throw new AssertionError(what + " is not listening on port " + port + " after " + timeout);
        }
    }

    /** Whether a TCP connect to 127.0.0.1:port succeeds now. */
    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}

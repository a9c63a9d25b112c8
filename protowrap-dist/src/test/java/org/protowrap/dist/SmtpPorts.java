package org.protowrap.dist;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Listening ports for the SMTP tests, chosen below the kernel's ephemeral range. A port from the
 * ephemeral range may still be held by an outgoing connection in TIME_WAIT, which stops a server
 * that does not set SO_REUSEADDR (smtp-sink) from binding it; the volume test leaves thousands.
 */
final class SmtpPorts {

    private static final int FIRST = 20000;
    private static final int LAST = 32000;

    private SmtpPorts() {}

    /** A loopback port that nothing holds at the moment, not even a connection in TIME_WAIT. */
    static int unused() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (bindable(port)) {
                return port;
            }
        }
        throw new IOException("no unused port between " + FIRST + " and " + LAST);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}

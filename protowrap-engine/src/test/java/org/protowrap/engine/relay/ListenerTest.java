package org.protowrap.engine.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.protowrap.engine.config.ConfigLoader;
import org.protowrap.engine.config.Wrapper;
import org.protowrap.engine.testing.Loopback;

/** Both ways of accepting: a socket per loop (SO_REUSEPORT), and one socket handing connections on. */
@Timeout(30)
class ListenerTest {

    private static final int CLIENTS = 40;

    @TempDir
    Path home;

    private Wrapper wrapper(int listenPort, int backendPort) {
        return ConfigLoader.forHome(home).parse(home.resolve("t.yaml"), """
                wrappers:
                  - name: w
                    protocol: line
                    listenAddr: 127.0.0.1
                    listenPort: %d
                    destAddr: 127.0.0.1:%d
                """.formatted(listenPort, backendPort)).wrappers().get(0);
    }

    @ParameterizedTest(name = "socket per loop: {0}")
    @ValueSource(booleans = {true, false})
    void everyLoopServesConnections(boolean socketPerLoop) throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
                Relay relay = new Relay(2)) {
            Thread.ofVirtual().start(() -> echoLines(backend));
            relay.start();
            Listener listener = Listener.bind(new LiveWrapper(wrapper(Loopback.freePort(), backend.getLocalPort())), relay,
                    socketPerLoop);
            assertEquals(socketPerLoop ? 2 : 1, listener.sockets());
            listener.start();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    Socket client = Loopback.connectWhenListening(listener.address().getPort());
                    clients.add(client);
                    OutputStream out = client.getOutputStream();
                    out.write(("hello " + i + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                    assertEquals("hello " + i, in.readLine());
                }
                // each connection lands on a socket at random (or goes to the next loop), and
                // a loop holding clearly more hands the next one on
                int first = relay.loops().get(0).connectionCount();
                int second = relay.loops().get(1).connectionCount();
                assertEquals(CLIENTS, first + second);
                assertTrue(Math.abs(first - second) <= 2 + Math.min(first, second) / 4,
                        "connections per loop: " + first + ", " + second);
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            listener.close().join();
        }
    }

    @Test
    void anAddressHeldByAnotherSocketIsAnError() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Relay relay = new Relay(2)) {
            relay.start();
            LiveWrapper live = new LiveWrapper(wrapper(plain.getLocalPort(), 1));
            assertThrows(BindException.class, () -> Listener.bind(live, relay, true));
            assertThrows(BindException.class, () -> Listener.bind(live, relay, false));
        }
    }

    @Test
    void anAddressSharedWithSoReusePortIsAnErrorToo() throws Exception {
        int port = Loopback.freePort();
        try (ServerSocketChannel other = ServerSocketChannel.open(); Relay relay = new Relay(2)) {
            other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            other.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            relay.start();
            assertThrows(BindException.class,
                    () -> Listener.bind(new LiveWrapper(wrapper(port, 1)), relay, true));
        }
    }

    @Test
    void aConnectionGoesToAnotherLoopOnlyWhenThatHoldsClearlyFewer() {
        try (Relay relay = new Relay(2)) {
            EventLoop a = relay.loops().get(0);
            EventLoop b = relay.loops().get(1);
            assertEquals(a, relay.placeFor(a));
            handIn(a, 1);
            assertEquals(b, relay.placeFor(a), "1 against 0");
            assertEquals(b, relay.placeFor(b));
            handIn(b, 1);
            assertEquals(a, relay.placeFor(a), "1 against 1");
            handIn(a, 29);
            handIn(b, 24);
            assertEquals(a, relay.placeFor(a), "30 against 25: too close to be worth a hand-off");
            handIn(a, 3);
            assertEquals(b, relay.placeFor(a), "33 against 25");
        }
    }

    /** Counts connections handed in to a loop that is not running, so they stay counted. */
    private static void handIn(EventLoop loop, int connections) {
        for (int i = 0; i < connections; i++) {
            loop.handIn(() -> { });
        }
    }

    private static void echoLines(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        socket.getInputStream().transferTo(socket.getOutputStream());
                    } catch (IOException e) {
                        // the client went away
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }
}

package org.protowrap.engine.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A real TCP server on loopback for the tests, one virtual thread per connection. */
final class TestBackend implements AutoCloseable {

    /** What the backend does with one connection. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket socket) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final int port;
    private final Behaviour behaviour;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private TestBackend(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        this.port = server.getLocalPort();
        this.behaviour = behaviour;
    }

    static TestBackend start(Behaviour behaviour) throws IOException {
        return start(0, behaviour);
    }

    private static TestBackend start(int port, Behaviour behaviour) throws IOException {
        TestBackend backend = new TestBackend(new ServerSocket(port, 50, InetAddress.getLoopbackAddress()), behaviour);
        Thread.ofVirtual().start(backend::acceptLoop);
        return backend;
    }

    /** A backend like this one on the same port, once this one {@linkplain #stopListening stopped listening}. */
    TestBackend restarted() throws IOException {
        return start(port(), behaviour);
    }

    /** Answers every line with {@code name: line}. */
    static TestBackend named(String name) throws IOException {
        return start(socket -> {
            BufferedReader in = reader(socket);
            OutputStream out = socket.getOutputStream();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write((name + ": " + line + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        });
    }

    /** Sends back every byte it receives, and shuts its output at the client's end. */
    static TestBackend echo() throws IOException {
        return start(socket -> {
            socket.getInputStream().transferTo(socket.getOutputStream());
            socket.shutdownOutput();
        });
    }

    static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                sockets.add(socket);
                Thread.ofVirtual().start(() -> {
                    try (socket) {
                        behaviour.serve(socket);
                    } catch (IOException | InterruptedException e) {
                        // the test decides what a broken connection means
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    /** Connections accepted so far. */
    int accepted() {
        return accepted.get();
    }

    /** Closes the listening socket, so that new connections are refused; open ones go on. */
    void stopListening() throws IOException {
        server.close();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}

package org.protowrap.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * A small server on loopback for end-to-end tests of a plugin: each connection on a virtual
 * thread of its own, served by a script. Closing it stops accepting and closes every connection.
 */
public final class ScriptedBackend implements AutoCloseable {

    /** What the server does with one connection. */
    @FunctionalInterface
    public interface Script {
        void serve(Socket connection) throws IOException;
    }

    private final ServerSocket server;
    private final Script script;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();

    private ScriptedBackend(Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.script = script;
        Thread.ofVirtual().name("scripted-backend-" + server.getLocalPort()).start(this::accept);
    }

    /** A server that runs {@code script} for every connection. */
    public static ScriptedBackend start(Script script) throws IOException {
        return new ScriptedBackend(script);
    }

    /**
     * A line server: it sends {@code greeting} first (unless null), then answers each line it
     * reads (without its line end) with {@code answer}'s result and CRLF; a null answer closes the
     * connection. Every line read is kept for {@link #received()}.
     */
    public static ScriptedBackend lines(String greeting, UnaryOperator<String> answer) throws IOException {
        ScriptedBackend[] self = new ScriptedBackend[1];
        self[0] = new ScriptedBackend(socket -> {
            OutputStream out = socket.getOutputStream();
            if (greeting != null) {
                out.write((greeting + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                self[0].received.add(line);
                String reply = answer.apply(line);
                if (reply == null) {
                    return;
                }
                out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        });
        return self[0];
    }

    /** Where it listens: {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** The lines a {@link #lines} server read, from every connection, in order of arrival. */
    public List<String> received() {
        return List.copyOf(received);
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            connections.add(socket);
            Thread.ofVirtual().start(() -> {
                try (socket) {
                    script.serve(socket);
                } catch (IOException | UncheckedIOException e) {
                    // the client went away: the script's business is over
                } finally {
                    connections.remove(socket);
                }
            });
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : connections) {
            socket.close();
        }
    }
}

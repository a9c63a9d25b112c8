package org.protowrap.engine.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Clients and configurations for the load-balancing tests: who answered, from which address. */
final class Dispatch {

    private Dispatch() {}

    /** {@code destAddr} as a YAML list of the backends' addresses. */
    static String destAddr(List<TestBackend> backends) {
        return backends.stream().map(TestBackend::address).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A client that sends one line on a new connection and returns the name of the backend that answered. */
    static String whoAnswers(InetSocketAddress wrapper) throws IOException {
        try (Socket client = Traffic.connect(wrapper)) {
            return nameIn(exchange(client, "hello"));
        }
    }

    /** The same from a given local address: a distinct client for source hashing. */
    static String whoAnswers(InetSocketAddress wrapper, InetAddress from) throws IOException {
        try (Socket client = new Socket(wrapper.getAddress(), wrapper.getPort(), from, 0)) {
            client.setSoTimeout(15_000);
            return nameIn(exchange(client, "hello"));
        }
    }

    /** A connection that stays open, already answered by {@link #name}. */
    record Held(Socket socket, String name) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Held hold(InetSocketAddress wrapper) throws IOException {
        Socket client = Traffic.connect(wrapper);
        return new Held(client, nameIn(exchange(client, "stay")));
    }

    /** Sends a line and reads the one-line answer; empty if the connection ended without one. */
    static String exchange(Socket client, String line) throws IOException {
        Traffic.write(client, line + "\n");
        byte[] buffer = new byte[256];
        StringBuilder answer = new StringBuilder();
        while (answer.indexOf("\n") < 0) {
            int n = client.getInputStream().read(buffer);
            if (n < 0) {
                break;
            }
            answer.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        return answer.toString().strip();
    }

    /** {@code one: hello} answers as {@code one}; no answer is the empty name. */
    private static String nameIn(String answer) {
        int colon = answer.indexOf(':');
        return colon < 0 ? answer : answer.substring(0, colon);
    }
}

package org.protowrap.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's mail server: accepts any mail and prints one line per message. It answers just
 * enough SMTP for a client such as swaks (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT); it checks
 * nothing, which is what the wrapper in front of it is for. One virtual thread per connection.
 */
final class SmtpSink implements AutoCloseable {

    private final ServerSocket socket;
    private final PrintStream out;

    private SmtpSink(ServerSocket socket, PrintStream out) {
        this.socket = socket;
        this.out = out;
    }

    static SmtpSink start(ServerSocket socket, PrintStream out) {
        SmtpSink sink = new SmtpSink(socket, out);
        Thread.ofVirtual().name("demo-smtp-accept").start(sink::accept);
        return sink;
    }

    int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Thread.ofVirtual().name("demo-smtp").start(() -> converse(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void converse(Socket client) {
        try (client;
                BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                OutputStream reply = client.getOutputStream()) {
            send(reply, "220 protowrap-demo-sink ESMTP ready");
            String from = "";
            List<String> to = new ArrayList<>();
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String verb = (line.length() >= 4 ? line.substring(0, 4) : line).toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO" -> send(reply, "250-protowrap-demo-sink\r\n250-8BITMIME\r\n250 SIZE 10485760");
                    case "HELO" -> send(reply, "250 protowrap-demo-sink");
                    case "MAIL" -> {
                        from = line.substring(Math.min(line.length(), 10)).trim();
                        to.clear();
                        send(reply, "250 2.1.0 sender ok");
                    }
                    case "RCPT" -> {
                        to.add(line.substring(Math.min(line.length(), 8)).trim());
                        send(reply, "250 2.1.5 recipient ok");
                    }
                    case "DATA" -> {
                        send(reply, "354 end data with <CR><LF>.<CR><LF>");
                        long size = readMessage(in);
                        out.println("demo SMTP sink: message from " + from + " to " + to + ", " + size + " bytes");
                        send(reply, "250 2.0.0 accepted by the demo sink");
                    }
                    case "RSET", "NOOP" -> send(reply, "250 2.0.0 ok");
                    case "QUIT" -> {
                        send(reply, "221 2.0.0 bye");
                        return;
                    }
                    default -> send(reply, "502 5.5.2 not implemented by the demo sink");
                }
            }
        } catch (IOException e) {
            // the client went away: nothing to keep
        }
    }

    private static long readMessage(BufferedReader in) throws IOException {
        long size = 0;
        for (String line = in.readLine(); line != null && !line.equals("."); line = in.readLine()) {
            size += line.length() + 2;
        }
        return size;
    }

    private static void send(OutputStream reply, String lines) throws IOException {
        reply.write((lines + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        reply.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}

package org.protowrap.engine.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal SMTP client for the tests: one message per connection, and what the server said. */
final class SmtpClient implements AutoCloseable {

    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        this.out = socket.getOutputStream();
    }

    static SmtpClient connect(InetSocketAddress server) throws IOException {
        return new SmtpClient(Traffic.connect(server));
    }

    /**
     * Sends one message with the given Message-ID and subject; returns whether the server
     * accepted it (250 after the end of data). Any other reply, or a broken connection, is false.
     */
    static boolean send(InetSocketAddress server, String messageId, String subject) {
        try (SmtpClient client = connect(server)) {
            return client.reply().startsWith("220")
                    && client.command("EHLO client.example").startsWith("250")
                    && client.command("MAIL FROM:<sender@example.org>").startsWith("250")
                    && client.command("RCPT TO:<rcpt@example.org>").startsWith("250")
                    && client.command("DATA").startsWith("354")
                    && client.command("Message-ID: <" + messageId + ">\r\nSubject: " + subject
                            + "\r\nFrom: sender@example.org\r\nTo: rcpt@example.org\r\n\r\nbody of " + subject + "\r\n.")
                            .startsWith("250")
                    && quit(client);
        } catch (IOException e) {
            return false;
        }
    }

    /** QUIT after an accepted message: the message counts whatever the answer. */
    private static boolean quit(SmtpClient client) {
        try {
            client.command("QUIT");
        } catch (IOException e) {
            // the message was accepted before; a lost 221 does not change that
        }
        return true;
    }

    /** Sends a line (CRLF appended) and returns the reply. */
    String command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return reply();
    }

    /** The next reply, its lines joined by LF; empty at the end of the stream. */
    String reply() throws IOException {
        StringBuilder reply = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            reply.append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return reply.toString();
            }
            reply.append('\n');
        }
        return reply.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

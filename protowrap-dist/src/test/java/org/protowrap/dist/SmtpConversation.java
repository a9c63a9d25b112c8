package org.protowrap.dist;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A scripted SMTP client on a raw socket, for what swaks cannot send: BDAT, smuggling attempts,
 * commands sent too early. Like a real client it reads each reply whole before going on, unless
 * the script sends several commands in one write on purpose.
 */
final class SmtpConversation implements AutoCloseable {

    private static final int READ_TIMEOUT_MILLIS = 10_000;

    /** One reply: its code and its lines, line ends removed. */
    record Reply(int code, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpConversation(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects; the greeting is still to be read. */
    static SmtpConversation connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return new SmtpConversation(socket);
    }

    /** A conversation on a socket the test connected (a TLS one, say); the greeting is still to be read. */
    static SmtpConversation over(Socket socket) throws IOException {
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        return new SmtpConversation(socket);
    }

    /** Connects, reads the greeting and says EHLO; returns the EHLO reply. */
    static SmtpConversation greeted(int port) throws IOException {
        return greeted(connect(port));
    }

    /** Reads the greeting and says EHLO. */
    static SmtpConversation greeted(SmtpConversation c) throws IOException {
        c.expect(220, c.reply());
        c.expect(250, c.command("EHLO client.example"));
        return c;
    }

    /**
     * Says STARTTLS, expects 220 and handshakes with {@code tls} (for the name {@code localhost});
     * what follows travels inside TLS.
     */
    void startTls(SSLSocketFactory tls) throws IOException {
        expect(220, command("STARTTLS"));
        SSLSocket secured = (SSLSocket) tls.createSocket(socket, "localhost", socket.getPort(), true);
        secured.startHandshake();
        socket = secured;
        in = new BufferedInputStream(secured.getInputStream());
        out = secured.getOutputStream();
    }

    /** Sends one command line and returns its reply. */
    Reply command(String line) throws IOException {
        send(line + "\r\n");
        return reply();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one whole reply (every continuation line); fails if the connection ends first. */
    Reply reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = line();
            if (line.length() < 3 || !line.substring(0, 3).chars().allMatch(Character::isDigit)) {
                throw new IOException("not an SMTP reply line: \"" + line + "\" after " + lines);
            }
            lines.add(line);
            if (line.length() == 3 || line.charAt(3) != '-') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), lines);
            }
        }
    }

    /** Fails unless {@code reply} has the code {@code expected}; returns it. */
    Reply expect(int expected, Reply reply) {
        if (reply.code() != expected) {
            throw new AssertionError("expected " + expected + ", got: " + reply.text());
        }
        return reply;
    }

    /**
     * Reads until the other side closes and returns what came before; a reset counts as closed.
     * Fails if the connection is still open after the read timeout.
     */
    String readUntilClosed() throws IOException {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        try {
            for (int b = in.read(); b != -1; b = in.read()) {
                rest.write(b);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open; it sent: "
                    + rest.toString(StandardCharsets.ISO_8859_1), e);
        } catch (SocketException reset) {
            // Closed with unread input on its side: the end of the connection all the same.
        }
        return rest.toString(StandardCharsets.ISO_8859_1);
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection closed; partial line: \"" + line.toString(StandardCharsets.ISO_8859_1) + "\"");
            }
            line.write(b);
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

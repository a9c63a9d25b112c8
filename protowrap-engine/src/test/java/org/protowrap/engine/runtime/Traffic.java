package org.protowrap.engine.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Generated line traffic and its checksums, and small client conveniences. */
final class Traffic {

    static final int BLOCK = 64 * 1024;

    private Traffic() {}

    /** 64 KiB of lowercase letters from {@code seed}, with a line end every 64 bytes. */
    static byte[] block(long seed) {
        byte[] block = new byte[BLOCK];
        Random random = new Random(seed);
        for (int i = 0; i < BLOCK; i++) {
            block[i] = (i % 64 == 63) ? (byte) '\n' : (byte) ('a' + random.nextInt(26));
        }
        return block;
    }

    /** The SHA-256 of {@code block} repeated {@code times}. */
    static String digestOf(byte[] block, int times) {
        MessageDigest md = sha256();
        for (int i = 0; i < times; i++) {
            md.update(block);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static void send(OutputStream out, byte[] block, int times) throws IOException {
        for (int i = 0; i < times; i++) {
            out.write(block);
        }
        out.flush();
    }

    /** Reads to the end; returns the byte count and SHA-256. */
    static Received receive(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[64 * 1024];
        long count = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            md.update(buffer, 0, n);
            count += n;
        }
        return new Received(count, HexFormat.of().formatHex(md.digest()));
    }

    record Received(long count, String sha256) {}

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client socket with a read timeout, so that a hanging test fails instead of waiting. */
    static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(15_000);
        return socket;
    }

    static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** Everything up to the end of the stream, as text; a reset counts as the end. */
    static String readToEnd(Socket socket) throws IOException {
        var out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = socket.getInputStream().read(buffer); n >= 0; n = socket.getInputStream().read(buffer)) {
                out.write(buffer, 0, n);
            }
        } catch (java.net.SocketException e) {
            // connection reset: what arrived before is the answer
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}

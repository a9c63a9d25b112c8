package org.protowrap.validator.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;

/** Random valid request streams, and random mutations of them, from a seeded generator. */
final class RequestGenerator {

    private static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");
    private static final String PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~";
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
    private static final byte[] INTERESTING = {0, '\r', '\n', ' ', '\t', ':', ',', ';', '0', 'f', 'x', '-', '+', '_', '%',
        '.', '/', '"', 0x0b, 0x7f, (byte) 0xff, (byte) 0x80};
    private static final List<String> SNIPPETS = List.of("Transfer-Encoding: chunked\r\n", "Content-Length: 0\r\n",
            "Content-Length: 5\r\n", "Host: b\r\n", "\r\n", "0\r\n\r\n", " chunked", "\r\n\r\nGET / HTTP/1.1\r\n",
            "Transfer-Encoding : chunked\r\n", "\n", "\r", "Upgrade: websocket\r\nConnection: upgrade\r\n");

    private final RandomGenerator random;
    private final int bodyScale;

    RequestGenerator(RandomGenerator random, int bodyScale) {
        this.random = random;
        this.bodyScale = bodyScale;
    }

    /** One to five valid requests, pipelined. */
    byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = 1 + random.nextInt(5);
        for (int i = 0; i < count; i++) {
            request(out);
        }
        return out.toByteArray();
    }

    private void request(ByteArrayOutputStream out) {
        String method = METHODS.get(random.nextInt(METHODS.size()));
        boolean http10 = random.nextInt(8) == 0;
        StringBuilder head = new StringBuilder(method).append(' ').append(path()).append(http10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
        if (!http10 || random.nextBoolean()) {
            head.append(random.nextBoolean() ? "Host: " : "host:").append("example.com").append(random.nextBoolean() ? ":8080" : "").append("\r\n");
        }
        if (http10) {
            head.append("Connection: keep-alive\r\n");
        }
        for (int i = random.nextInt(6); i > 0; i--) {
            head.append(word(NAME_CHARS, 1 + random.nextInt(12))).append(':').append(random.nextBoolean() ? " " : "")
                    .append(value()).append("\r\n");
        }
        int body = random.nextInt(4);
        boolean needsLength = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
        if (body == 0 && needsLength) {
            body = 1;
        }
        if (!needsLength && !method.equals("OPTIONS")) {
            body = 0;
        }
        if (body == 3 && http10) {
            body = 1;
        }
        byte[] content = bytes(body == 0 ? 0 : random.nextInt(1 + bodyScale));
        if (body == 1 || body == 2) {
            head.append("Content-Length: ").append(content.length).append("\r\n\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.writeBytes(content);
        } else if (body == 3) {
            head.append("Transfer-Encoding: ").append(random.nextInt(4) == 0 ? "gzip, " : "").append("chunked\r\n\r\n");
            out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            chunks(out, content);
        } else {
            out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private void chunks(ByteArrayOutputStream out, byte[] content) {
        int at = 0;
        while (at < content.length) {
            int n = Math.min(content.length - at, 1 + random.nextInt(Math.max(1, bodyScale / 3)));
            String size = Integer.toHexString(n);
            size = random.nextBoolean() ? size.toUpperCase(java.util.Locale.ROOT) : size;
            String ext = random.nextInt(4) == 0 ? ";" + word(NAME_CHARS, 3) + (random.nextBoolean() ? "=\"q v\"" : "") : "";
            out.writeBytes((size + ext + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(content, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            at += n;
        }
        String trailers = random.nextInt(3) == 0 ? "X-Checksum: " + word(NAME_CHARS, 8) + "\r\n" : "";
        out.writeBytes(("0\r\n" + trailers + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private String path() {
        StringBuilder path = new StringBuilder();
        for (int i = random.nextInt(4); i >= 0; i--) {
            path.append('/').append(word(PATH_CHARS, random.nextInt(8)));
        }
        if (random.nextInt(3) == 0) {
            path.append("?q=").append(word(PATH_CHARS, 5)).append("&r=%2F");
        }
        return path.toString();
    }

    private String value() {
        StringBuilder v = new StringBuilder();
        for (int i = random.nextInt(30); i > 0; i--) {
            v.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
            if (random.nextInt(6) == 0) {
                v.append(' ');
            }
        }
        return v.toString().strip();
    }

    private String word(String chars, int length) {
        StringBuilder w = new StringBuilder();
        for (int i = 0; i < length; i++) {
            w.append(chars.charAt(random.nextInt(chars.length())));
        }
        return w.toString();
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** The stream with one to three random edits: bytes replaced, inserted, deleted or duplicated, or snippets inserted. */
    byte[] mutate(byte[] input) {
        byte[] b = input;
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            int at = random.nextInt(b.length + 1);
            b = switch (random.nextInt(5)) {
                case 0 -> replace(b, Math.min(at, b.length - 1), INTERESTING[random.nextInt(INTERESTING.length)]);
                case 1 -> insert(b, at, new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]});
                case 2 -> delete(b, at, Math.min(b.length, at + 1 + random.nextInt(4)));
                case 3 -> insert(b, at, java.util.Arrays.copyOfRange(b, at, Math.min(b.length, at + random.nextInt(40))));
                default -> insert(b, at, SNIPPETS.get(random.nextInt(SNIPPETS.size())).getBytes(StandardCharsets.ISO_8859_1));
            };
        }
        return b;
    }

    private static byte[] replace(byte[] b, int at, byte value) {
        if (at < 0) {
            return b;
        }
        byte[] copy = b.clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] insert(byte[] b, int at, byte[] extra) {
        byte[] out = new byte[b.length + extra.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(extra, 0, out, at, extra.length);
        System.arraycopy(b, at, out, at + extra.length, b.length - at);
        return out;
    }

    private static byte[] delete(byte[] b, int from, int to) {
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
    }
}

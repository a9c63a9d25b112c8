package org.protowrap.api;

import java.nio.ByteBuffer;

/**
 * Bytes as printable text, for logs: printable ASCII as is, CR and LF as {@code \r} and
 * {@code \n}, a backslash doubled, anything else as {@code \xNN}. Shared by violation excerpts
 * and the engine's byte dumps, so that both read the same.
 */
public final class EscapedText {

    private EscapedText() {}

    /** Up to {@code maxBytes} of the buffer's remaining bytes (the position is not moved), {@code ...} when cut. */
    public static String of(ByteBuffer bytes, int maxBytes) {
        int end = bytes.limit() - bytes.position() > maxBytes ? bytes.position() + maxBytes : bytes.limit();
        StringBuilder out = new StringBuilder(end - bytes.position() + 16);
        for (int i = bytes.position(); i < end; i++) {
            append(out, bytes.get(i) & 0xff);
        }
        if (end < bytes.limit()) {
            out.append("...");
        }
        return out.toString();
    }

    private static void append(StringBuilder out, int b) {
        switch (b) {
            case '\r' -> out.append("\\r");
            case '\n' -> out.append("\\n");
            case '\\' -> out.append("\\\\");
            default -> {
                if (b >= 0x20 && b < 0x7f) {
                    out.append((char) b);
                } else {
                    out.append(String.format("\\x%02x", b));
                }
            }
        }
    }
}

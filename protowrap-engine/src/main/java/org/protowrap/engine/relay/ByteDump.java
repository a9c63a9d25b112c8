package org.protowrap.engine.relay;

import java.nio.ByteBuffer;

/** Every byte of a buffer as printable text, for logLevel 5: ASCII as is, the rest escaped. */
final class ByteDump {

    private ByteDump() {}

    /** The buffer's remaining bytes (not moved): printable ASCII, {@code \r}, {@code \n}, {@code \\}, {@code \xNN}. */
    static String escaped(ByteBuffer bytes) {
        StringBuilder out = new StringBuilder(bytes.remaining() + 16);
        for (int i = bytes.position(); i < bytes.limit(); i++) {
            int b = bytes.get(i) & 0xff;
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
        return out.toString();
    }
}

package org.protowrap.validator.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The escapes of the corpus files: {@code \r}, {@code \n}, {@code \t}, {@code \0}, {@code \\},
 * {@code \xNN}, {@code \s} (a space, for one at the end of a line), and {@code {{N*c}}} for N
 * copies of the character c.
 */
final class Escapes {

    private Escapes() {}

    static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i = escape(text, i + 1, out);
            } else if (text.startsWith("{{", i)) {
                int end = text.indexOf("}}", i);
                String[] parts = text.substring(i + 2, end).split("\\*", 2);
                out.writeBytes(parts[1].repeat(Integer.parseInt(parts[0])).getBytes(StandardCharsets.ISO_8859_1));
                i = end + 2;
            } else {
                out.write(c);
                i++;
            }
        }
        return out.toByteArray();
    }

    private static int escape(String text, int i, ByteArrayOutputStream out) {
        char e = text.charAt(i);
        switch (e) {
            case 'r' -> out.write('\r');
            case 'n' -> out.write('\n');
            case 't' -> out.write('\t');
            case '0' -> out.write(0);
            case 's' -> out.write(' ');
            case '\\' -> out.write('\\');
            case 'x' -> {
                out.write(Integer.parseInt(text.substring(i + 1, i + 3), 16));
                return i + 3;
            }
            default -> throw new IllegalArgumentException("unknown escape \\" + e + " in: " + text);
        }
        return i + 1;
    }

    /** Bytes as the corpus would write them, for failure messages. */
    static String show(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            switch (c) {
                case '\r' -> s.append("\\r");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                case '\\' -> s.append("\\\\");
                default -> s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }
}

package org.protowrap.validator.pop3;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.protowrap.api.Violation;

/**
 * Excerpts of command lines for reports, with credentials removed (keywords kept as sent): {@code PASS ***},
 * {@code APOP name ***}, {@code AUTH MECHANISM ***}. SASL response lines are never excerpted.
 */
final class Redaction {

    static final String HIDDEN = "***";

    private Redaction() {}

    static String excerpt(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, Violation.EXCERPT_BYTES), StandardCharsets.ISO_8859_1);
        String[] words = text.split(" ", 3);
        return switch (words[0].toUpperCase(Locale.ROOT)) {
            case "PASS" -> words.length > 1 ? shown(words, 1) + " " + HIDDEN : shown(words, 1);
            case "APOP", "AUTH" -> shown(words, 2) + (words.length > 2 ? " " + HIDDEN : "");
            default -> Violation.excerptOf(line, 0, Math.min(line.length, Violation.EXCERPT_BYTES));
        };
    }

    /** The first {@code count} words, as sent: the keyword, and a name or a mechanism. */
    private static String shown(String[] words, int count) {
        String kept = count > 1 && words.length > 1 ? words[0] + " " + words[1] : words[0];
        byte[] head = kept.getBytes(StandardCharsets.ISO_8859_1);
        return Violation.excerptOf(head, 0, Math.min(head.length, 40));
    }
}

package org.protowrap.api;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A rule that matched, as reported through {@link Decisions#report}.
 *
 * @param rule the rule's stable name
 * @param mode {@link RuleMode#ENFORCE} if the unit was refused, {@link RuleMode#LOG} if it was let through
 * @param detail what was wrong, for the operator, e.g. {@code "bare LF inside DATA"}
 * @param excerpt a short, printable excerpt of the offending input with credentials already
 *     redacted by the validator; may be empty
 */
public record Violation(String rule, RuleMode mode, String detail, String excerpt) {

    /** Longest excerpt {@link #excerptOf} produces, in input bytes. */
    public static final int EXCERPT_BYTES = 80;

    public Violation {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(excerpt, "excerpt");
        if (mode != RuleMode.ENFORCE && mode != RuleMode.LOG) {
            throw new IllegalArgumentException("a reported violation is enforced or logged, not " + mode);
        }
    }

    /**
     * A printable excerpt of up to {@link #EXCERPT_BYTES} bytes from the buffer's position
     * (not moved): printable ASCII as is but for the backslash, which is doubled, CR and LF as
     * {@code \r} and {@code \n}, anything else as {@code \xNN}, and {@code ...} when cut.
     */
    public static String excerptOf(ByteBuffer bytes) {
        return EscapedText.of(bytes, EXCERPT_BYTES);
    }

    /** {@link #excerptOf(ByteBuffer)} over a byte range. */
    public static String excerptOf(byte[] bytes, int offset, int length) {
        return excerptOf(ByteBuffer.wrap(bytes, offset, length));
    }
}

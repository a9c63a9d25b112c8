package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.util.regex.Pattern;
import org.protowrap.api.Violation;

/**
 * The excerpt of offending input a violation carries, with the values of credential fields
 * (Authorization, Proxy-Authorization, Cookie) replaced by {@code <redacted>}. It does not
 * recognise credentials elsewhere, such as a token in a query string.
 */
final class Excerpt {

    private static final Pattern CREDENTIAL =
            Pattern.compile("(?i)((?:proxy-)?authorization|cookie)([ \\t]*:)(?:(?!\\\\r|\\\\n).)*");

    private Excerpt() {}

    /** A printable, redacted excerpt of {@code src[from, to)}. */
    static String of(ByteBuffer src, int from, int to) {
        String printable = Violation.excerptOf(src.slice(from, Math.max(0, Math.min(to, src.limit()) - from)));
        return CREDENTIAL.matcher(printable).replaceAll("$1$2 <redacted>");
    }
}

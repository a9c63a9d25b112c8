package org.protowrap.validator.pop3;

import java.nio.ByteBuffer;

/**
 * Finds the end of a multi-line response body (RFC 1939 section 3): the first line that is
 * exactly {@code .} CRLF. Lines end at LF, as the clients that split on LF read them. Every
 * other line that starts with a dot must be dot-stuffed ({@code ..}); a line starting with a
 * single dot and anything else ({@code .\n}, {@code .x}, {@code .\r} without LF) is one that
 * a client could take for the end while the wrapper does not, so the body is malformed. It
 * holds no bytes: three flags carry the state across reads.
 */
final class MultiLineBody {

    /** What a scan found. */
    enum Result { MORE, END, MALFORMED }

    private boolean lineStart = true;
    private boolean dot;
    private boolean dotCr;

    /**
     * Consumes bytes up to and including the terminating line, or all of them: returns
     * {@code END} with the position just after the terminator, {@code MORE} when all were
     * consumed, {@code MALFORMED} with the position after the offending byte.
     */
    Result scan(ByteBuffer data) {
        while (data.hasRemaining()) {
            byte b = data.get();
            if (dotCr) {
                return b == '\n' ? Result.END : Result.MALFORMED;
            }
            if (dot) {
                dot = false;
                if (b == '\r') {
                    dotCr = true;
                } else if (b != '.') {
                    return Result.MALFORMED;
                }
            } else if (lineStart && b == '.') {
                dot = true;
            }
            lineStart = b == '\n';
        }
        return Result.MORE;
    }
}

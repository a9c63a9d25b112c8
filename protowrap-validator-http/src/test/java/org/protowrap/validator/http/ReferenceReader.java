package org.protowrap.validator.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict HTTP/1.1 request stream reader written for the tests, independently of the
 * validator, over a whole byte array: it splits a stream into complete requests and says what
 * is left after the last one. It checks framing and syntax, not policy.
 */
final class ReferenceReader {

    /** What follows the last complete request. */
    enum Rest { NOTHING, PARTIAL_BODY, INVALID }

    /** The requests found: their end offsets, and what follows them. */
    record Result(List<Integer> ends, Rest rest, String why) {}

    private static final String TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
    private static final Pattern REQUEST_LINE = Pattern.compile(TOKEN + " [\\x21-\\x7e]+ HTTP/1\\.[01]");
    private static final Pattern FIELD = Pattern.compile("(" + TOKEN + "):[ \\t]*([\\x21-\\x7e\\x80-\\xff]([ \\t\\x21-\\x7e\\x80-\\xff]*[\\x21-\\x7e\\x80-\\xff])?)?[ \\t]*");
    private static final Pattern CHUNK_SIZE = Pattern.compile("([0-9A-Fa-f]{1,16})(([ \\t]*;[ \\t]*" + TOKEN + "([ \\t]*=[ \\t]*(" + TOKEN + "|\"([^\"\\\\]|\\\\.)*\"))?)*)");

    private final String s;
    private int pos;

    private ReferenceReader(byte[] bytes) {
        this.s = new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static Result read(byte[] bytes) {
        return new ReferenceReader(bytes).readAll();
    }

    private Result readAll() {
        List<Integer> ends = new ArrayList<>();
        while (pos < s.length()) {
            int start = pos;
            try {
                if (!request()) {
                    return new Result(ends, Rest.PARTIAL_BODY, "body incomplete");
                }
            } catch (IllegalStateException e) {
                pos = start;
                return new Result(ends, Rest.INVALID, e.getMessage() + " at " + start);
            }
            ends.add(pos);
        }
        return new Result(ends, Rest.NOTHING, "");
    }

    /** Reads one request; false if its head is complete and valid but its body is cut short. */
    private boolean request() {
        String requestLine = line();
        require(REQUEST_LINE.matcher(requestLine).matches(), "request line");
        long length = -1;
        boolean chunked = false;
        int hosts = 0;
        String field;
        while (!(field = line()).isEmpty()) {
            Matcher m = FIELD.matcher(field);
            require(m.matches(), "field line");
            String name = m.group(1).toLowerCase(java.util.Locale.ROOT);
            String value = m.group(2) == null ? "" : m.group(2);
            switch (name) {
                case "content-length" -> {
                    require(length < 0 && value.matches("\\d{1,18}"), "content-length");
                    length = Long.parseLong(value);
                }
                case "transfer-encoding" -> {
                    require(!chunked && value.matches("((gzip|deflate), ?)?chunked"), "transfer-encoding");
                    chunked = true;
                }
                case "host" -> hosts++;
                default -> { }
            }
        }
        require(!(chunked && length >= 0), "both lengths");
        require(hosts == 1 || requestLine.endsWith("HTTP/1.0") && hosts == 0, "host");
        if (chunked) {
            return chunkedBody();
        }
        if (length > 0) {
            if (s.length() - pos < length) {
                pos = s.length();
                return false;
            }
            pos += (int) length;
        }
        return true;
    }

    private boolean chunkedBody() {
        while (true) {
            if (s.indexOf("\r\n", pos) < 0) {
                requirePrefixOfChunkLine();
                return false;
            }
            Matcher m = CHUNK_SIZE.matcher(line());
            require(m.matches(), "chunk-size line");
            long size = Long.parseLong(m.group(1), 16);
            if (size == 0) {
                return trailers();
            }
            if (s.length() - pos < size + 2) {
                require(s.length() - pos <= size || s.charAt((int) (pos + size)) == '\r', "chunk data end");
                pos = s.length();
                return false;
            }
            pos += (int) size;
            require(s.startsWith("\r\n", pos), "CRLF after chunk data");
            pos += 2;
        }
    }

    private boolean trailers() {
        while (true) {
            if (s.indexOf("\r\n", pos) < 0) {
                pos = s.length();
                return false;
            }
            String trailer = line();
            if (trailer.isEmpty()) {
                return true;
            }
            require(FIELD.matcher(trailer).matches(), "trailer field");
        }
    }

    private void requirePrefixOfChunkLine() {
        require(s.substring(pos).matches("[0-9A-Fa-f;=\" \\t!#$%&'*+\\-.^_`|~A-Za-z\\\\]*\r?"), "partial chunk line");
        pos = s.length();
    }

    private String line() {
        int end = s.indexOf("\r\n", pos);
        require(end >= 0, "line without CRLF");
        String line = s.substring(pos, end);
        require(line.indexOf('\r') < 0 && line.indexOf('\n') < 0 && line.indexOf('\0') < 0, "CR, LF or NUL inside a line");
        pos = end + 2;
        return line;
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalStateException(what);
        }
    }
}

package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.protowrap.api.Decisions;
import org.protowrap.api.Violation;

/**
 * Validates a chunked request body as it streams and forwards it: chunk data as slices of the
 * read, chunk-size lines and the trailer section once each is complete and valid. Memory is
 * bounded by one chunk line or one trailer section, whatever the size of the body.
 *
 * <p>Strict on framing, because framing is where smuggling hides: chunk-size is 1 to 16 hex
 * digits, extensions follow RFC 9112 section 7.1.1, every line of the framing ends in CRLF
 * (bare LF is never accepted here, whatever {@code http.line.bare-lf} says), and the data of
 * each chunk is followed by exactly CRLF. It does not decode or look inside the data.
 */
final class ChunkedBodyReader {

    private enum State { SIZE_LINE, DATA, DATA_CR, DATA_LF, TRAILERS, DONE }

    /** How far the body got. */
    enum Result { MORE, DONE, REFUSED }

    private static final int MAX_SIZE_DIGITS = 16;

    private final HttpPolicy policy;
    private final RuleEnforcer rules;
    private final UnitReader reader;
    private final SizeLine sizeLine = new SizeLine();
    private final Trailers trailers = new Trailers();
    private final FieldLineParser field = new FieldLineParser();
    private State state = State.SIZE_LINE;
    private long chunkRemaining;
    private long bodySize;
    private int position;

    ChunkedBodyReader(HttpPolicy policy, RuleEnforcer rules, UnitReader reader) {
        this.policy = policy;
        this.rules = rules;
        this.reader = reader;
    }

    /** A new chunked body begins. */
    void start() {
        state = State.SIZE_LINE;
        chunkRemaining = 0;
        bodySize = 0;
    }

    /** Where the last {@link #feed} stopped. */
    int position() {
        return position;
    }

    Result feed(ByteBuffer data, int pos, int limit, ClientForwarder forwarder, Decisions out) {
        position = pos;
        while (position < limit && state != State.DONE) {
            Result result = switch (state) {
                case SIZE_LINE -> unit(sizeLine, data, limit, forwarder, out);
                case TRAILERS -> unit(trailers, data, limit, forwarder, out);
                case DATA -> data(limit);
                case DATA_CR -> dataEnd(data, '\r', State.DATA_LF);
                case DATA_LF -> dataEnd(data, '\n', State.SIZE_LINE);
                case DONE -> Result.DONE;
            };
            if (result == Result.REFUSED) {
                return result;
            }
        }
        return state == State.DONE ? Result.DONE : Result.MORE;
    }

    private Result data(int limit) {
        long n = Math.min(chunkRemaining, limit - position);
        position += (int) n;
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            state = State.DATA_CR;
        }
        return Result.MORE;
    }

    private Result dataEnd(ByteBuffer data, char expected, State next) {
        if (data.get(position) != expected) {
            rules.refuse(HttpRule.CHUNK_INVALID, "chunk data not followed by CRLF",
                    Excerpt.of(data, position, Math.min(data.limit(), position + Violation.EXCERPT_BYTES)));
            return Result.REFUSED;
        }
        position++;
        state = next;
        return Result.MORE;
    }

    private Result unit(LineConsumer consumer, ByteBuffer data, int limit, ClientForwarder forwarder, Decisions out) {
        UnitReader.Status status = reader.feed(data, position, limit, consumer, out);
        switch (status) {
            case NEED_MORE -> {
                forwarder.flush(reader.unitStart(), out);
                forwarder.skip(limit);
            }
            case DONE -> {
                if (reader.isHeld() || !trailers.cuts.isEmpty()) {
                    forwarder.sendUnit(reader, trailers.cuts, false, out);
                }
                reader.nextUnit();
            }
            case REFUSED -> {
                if (reader.refusedOverBudget()) {
                    rules.refuse(reader.overBudgetRule(), "chunk line or trailer field over its limit", "");
                }
                forwarder.flush(reader.unitStart(), out);
                return Result.REFUSED;
            }
        }
        position = reader.end();
        return Result.MORE;
    }

    /** {@code chunk-size [chunk-ext] CRLF}. */
    private final class SizeLine implements LineConsumer {

        @Override
        public int lineBudget() {
            return policy.maxFieldLine();
        }

        @Override
        public HttpRule overBudgetRule() {
            return HttpRule.CHUNK_INVALID;
        }

        @Override
        public Step line(ByteBuffer src, int from, int to, int unitOffset, Decisions out) {
            int end = framingLineEnd(src, from, to, out);
            if (end < 0) {
                return Step.REFUSED;
            }
            int i = from;
            long size = 0;
            while (i < end && HttpGrammar.hexValue(src.get(i)) >= 0 && i - from < MAX_SIZE_DIGITS + 1) {
                size = (size << 4) | HttpGrammar.hexValue(src.get(i));
                i++;
            }
            boolean overflow = i - from > MAX_SIZE_DIGITS || (i - from == MAX_SIZE_DIGITS && HttpGrammar.hexValue(src.get(from)) > 7);
            if (i == from || overflow || HttpGrammar.chunkExtensionsEnd(src, i, end) != end) {
                return refused(HttpRule.CHUNK_INVALID, "chunk-size line is not 1*16HEXDIG [chunk-ext] CRLF", src, from, to, out);
            }
            bodySize += size;
            if (policy.maxBodySize() >= 0 && bodySize > policy.maxBodySize()
                    && rules.refuses(HttpRule.BODY_TOO_LARGE, "chunked body above maxBodySize", src, from, to, out)) {
                return Step.REFUSED;
            }
            chunkRemaining = size;
            state = size == 0 ? State.TRAILERS : State.DATA;
            trailers.start();
            return Step.DONE;
        }
    }

    /** The trailer section: field lines checked like the head's, then an empty line. */
    private final class Trailers implements LineConsumer {
        private final UnitCuts cuts = new UnitCuts();
        private int used;
        private int count;

        void start() {
            used = 0;
            count = 0;
            cuts.clear();
        }

        @Override
        public int lineBudget() {
            return Math.min(policy.maxFieldLine(), policy.maxHeaderSection() - used);
        }

        @Override
        public HttpRule overBudgetRule() {
            return policy.maxFieldLine() <= policy.maxHeaderSection() - used ? HttpRule.LIMIT_FIELD_LINE : HttpRule.LIMIT_HEADER_SECTION;
        }

        @Override
        public Step line(ByteBuffer src, int from, int to, int unitOffset, Decisions out) {
            used += to - from;
            int end = framingLineEnd(src, from, to, out);
            if (end < 0) {
                return Step.REFUSED;
            }
            if (end == from) {
                state = State.DONE;
                return Step.DONE;
            }
            if (++count > policy.maxFields()) {
                return refused(HttpRule.LIMIT_FIELD_COUNT, "more than " + policy.maxFields() + " trailer fields", src, from, to, out);
            }
            if (field.refuses(src, from, end, rules, out)) {
                return Step.REFUSED;
            }
            if (field.spaceStart() < field.colon()) {
                cuts.add(unitOffset + field.spaceStart() - from, unitOffset + field.colon() - from);
            }
            if (HttpGrammar.readsAsRoutingField(src, from, field.nameEnd())) {
                return refused(HttpRule.HEADER_LOOKALIKE, "trailer field name reads as a framing or routing field", src, from, to, out);
            }
            return isForbiddenInTrailers(src, from, field.nameEnd())
                    && rules.refuses(HttpRule.TRAILER_FORBIDDEN_FIELD, "field not allowed in trailers", src, from, to, out)
                    ? Step.REFUSED : Step.MORE;
        }
    }

    /** Framing lines end in CRLF, hold no NUL and no other CR. Returns where the content ends, or -1. */
    private int framingLineEnd(ByteBuffer src, int from, int to, Decisions out) {
        if (to - from < 2 || src.get(to - 2) != '\r') {
            rules.refuses(HttpRule.CHUNK_INVALID, "chunked framing line ends in LF without CR", src, from, to, out);
            return -1;
        }
        return FieldLineParser.contentEnd(src, from, to, rules, out);
    }

    private LineConsumer.Step refused(HttpRule rule, String detail, ByteBuffer src, int from, int to, Decisions out) {
        rules.refuses(rule, detail, src, from, to, out);
        return LineConsumer.Step.REFUSED;
    }

    /**
     * RFC 9110 section 6.5.1: fields needed before the content is read: framing, routing,
     * authentication, request modifiers, response controls and content format.
     */
    private static final Set<String> FORBIDDEN_IN_TRAILERS = Set.of(
            "content-length", "transfer-encoding", "trailer", "te",
            "host", "connection", "keep-alive", "proxy-connection", "upgrade", "forwarded", "max-forwards",
            "authorization", "proxy-authorization", "www-authenticate", "proxy-authenticate", "cookie", "set-cookie",
            "expect", "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "if-range",
            "cache-control", "age", "expires", "pragma", "vary", "location", "retry-after",
            "content-type", "content-encoding", "content-range", "content-language", "content-location");

    private static boolean isForbiddenInTrailers(ByteBuffer src, int from, int to) {
        if (to - from > 24) {
            return false;
        }
        byte[] name = new byte[to - from];
        src.get(from, name);
        return FORBIDDEN_IN_TRAILERS.contains(new String(name, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT));
    }
}

package org.example.finger;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.protowrap.api.Decisions;
import org.protowrap.api.Refusal;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.Validator;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.api.Violation;

/**
 * Finger: the client sends one query line ({@code [/W] [user]}, CRLF), the server answers and
 * closes. The session collects the line, checks it, sends it on whole, then relays the answer.
 * It never touches a socket: the engine gives it bytes, it answers with decisions.
 */
final class FingerValidator implements Validator {

    private final ValidatorConfig config;
    private final int maxQueryLength;

    FingerValidator(ValidatorConfig config, int maxQueryLength) {
        this.config = config;
        this.maxQueryLength = maxQueryLength;
    }

    @Override
    public boolean serverSpeaksFirst() {
        return false;
    }

    @Override
    public Optional<byte[]> refusal(Refusal reason) {
        String text = switch (reason) {
            case TIMEOUT -> "finger: no query in time";
            case SERVER_TIMEOUT -> "finger: the server did not answer";
            case NO_BACKEND -> "finger: service unavailable";
            default -> "finger: refused";
        };
        return Optional.of((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public ValidatorSession newSession(SessionInfo info) {
        return new Session();
    }

    private final class Session implements ValidatorSession {
        private final byte[] query = new byte[maxQueryLength + 2];
        private int length;
        private boolean overlong;
        private boolean sent;
        private boolean done;

        @Override
        public void onStart(Decisions out) {
            out.clientUnitStarted();
        }

        @Override
        public void onClientData(ByteBuffer data, Decisions out) {
            while (data.hasRemaining() && !done) {
                byte b = data.get();
                if (sent) {
                    if (refuse(out, FingerValidatorProvider.EXTRA, "bytes after the query", "")) {
                        return;
                    }
                    continue;
                }
                if (b == '\n') {
                    lineEnded(out);
                } else if (length >= maxQueryLength && (b != '\r' || length > maxQueryLength)) {
                    // past the limit (a CR may follow a query of the full length): reported once;
                    // where the rule only logs, the query is cut at the limit
                    if (!overlong && !refuse(out, FingerValidatorProvider.TOO_LONG,
                            "query longer than " + maxQueryLength, "")) {
                        overlong = true;
                    }
                } else {
                    query[length++] = b;
                }
            }
            data.position(data.limit());
        }

        private void lineEnded(Decisions out) {
            boolean crlf = length > 0 && query[length - 1] == '\r';
            int end = crlf ? length - 1 : length;
            String text = new String(query, 0, end, StandardCharsets.ISO_8859_1);
            for (int i = 0; i < end; i++) {
                int c = query[i] & 0xff;
                if ((c < 0x20 && c != '\t') || c == 0x7f) {
                    if (refuse(out, FingerValidatorProvider.CONTROL, "control character in the query", text)) {
                        return;
                    }
                    break;
                }
            }
            if (text.indexOf('@') >= 0
                    && refuse(out, FingerValidatorProvider.FORWARDING, "a query for another host", text)) {
                return;
            }
            if (!crlf && refuse(out, FingerValidatorProvider.BARE_LF, "query ended by LF alone", text)) {
                return;
            }
            out.clientUnitComplete();
            out.describe("query", text.startsWith("/W") ? "verbose" : text.isBlank() ? "list" : "user");
            out.sendToServer(ByteBuffer.wrap((text + "\r\n").getBytes(StandardCharsets.ISO_8859_1)));
            out.awaitingServer(true);
            sent = true;
        }

        /** Reports the rule; when it is enforced, answers the client and closes. Returns whether it closed. */
        private boolean refuse(Decisions out, Rule rule, String detail, String excerpt) {
            RuleMode mode = config.mode(rule);
            if (mode == RuleMode.OFF) {
                return false;
            }
            out.report(new Violation(rule.name(), mode, detail, excerpt));
            if (mode == RuleMode.LOG) {
                return false;
            }
            out.sendToClient(ByteBuffer.wrap(("finger: refused (" + rule.name() + ")\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            out.close();
            done = true;
            return true;
        }

        @Override
        public void onServerData(ByteBuffer data, Decisions out) {
            out.awaitingServer(false);
            out.sendToClient(data);
        }
    }
}

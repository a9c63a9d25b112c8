package org.protowrap.validator.pop3;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.protowrap.api.Backend;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.validator.pop3.MultiLineBody.Result;
import org.protowrap.validator.pop3.StatusLineReader.Kind;
import org.protowrap.validator.pop3.StatusLineReader.Status;

/**
 * Checks a POP3 server the way a client begins: waits for the {@code +OK} greeting, sends CAPA,
 * expects a well-framed answer ({@code +OK} with its capability list, or {@code -ERR} from a
 * server without RFC 2449), says QUIT. It does not log in, so it cannot tell whether mailboxes
 * can be opened, only that the server speaks POP3 and is willing to talk.
 */
final class Pop3HealthProbe implements HealthProbe {

    @Override
    public String description() {
        return "POP3 greeting +OK, CAPA, QUIT";
    }

    @Override
    public ProbeSession newSession(Backend backend) {
        return new Check();
    }

    /** One check. */
    private static final class Check implements ProbeSession {

        private enum Step { GREETING, CAPA, CAPA_LIST, DONE }

        private final StatusLineReader reader = new StatusLineReader();
        private final MultiLineBody list = new MultiLineBody();
        private Step step = Step.GREETING;

        @Override
        public void onConnected(ProbeActions actions) {
            // POP3 servers speak first: nothing to send yet.
        }

        @Override
        public void onServerData(ByteBuffer data, ProbeActions actions) {
            while (data.hasRemaining() && step != Step.DONE) {
                if (step == Step.CAPA_LIST) {
                    capabilityList(data, actions);
                    continue;
                }
                Optional<Status> status = reader.next(data);
                if (status.isPresent()) {
                    onStatus(status.get(), actions);
                } else if (reader.failure().isPresent()) {
                    down(actions, "not a POP3 server: " + reader.failure().get());
                }
            }
            data.position(data.limit());
        }

        private void onStatus(Status status, ProbeActions actions) {
            if (step == Step.GREETING) {
                if (status.kind() != Kind.OK) {
                    down(actions, "greeting was " + summary(status) + ", not +OK");
                    return;
                }
                send(actions, "CAPA");
                step = Step.CAPA;
            } else if (status.kind() == Kind.OK) {
                step = Step.CAPA_LIST;
            } else if (status.kind() == Kind.ERR) {
                quit(actions);
            } else {
                down(actions, "CAPA answered " + summary(status));
            }
        }

        private void capabilityList(ByteBuffer data, ProbeActions actions) {
            Result result = list.scan(data);
            if (result == Result.END) {
                quit(actions);
            } else if (result == Result.MALFORMED) {
                down(actions, "the CAPA response cannot be framed");
            }
        }

        private void quit(ProbeActions actions) {
            send(actions, "QUIT");
            step = Step.DONE;
            actions.up();
        }

        private void down(ProbeActions actions, String reason) {
            step = Step.DONE;
            actions.down(reason);
        }

        private static String summary(Status status) {
            String text = status.text();
            return text.length() > 80 ? text.substring(0, 80) + "..." : text;
        }

        private static void send(ProbeActions actions, String command) {
            actions.send(ByteBuffer.wrap((command + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
    }
}

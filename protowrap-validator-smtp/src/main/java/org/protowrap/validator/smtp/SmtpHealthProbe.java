package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.protowrap.api.Backend;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.validator.smtp.ReplyReader.Reply;

/**
 * Checks a mail server the way a client would begin: waits for the {@code 220} greeting, sends
 * EHLO, expects {@code 250}, says QUIT. It does not send mail, so it cannot tell whether the
 * server would accept a message, only that it speaks SMTP and is willing to talk.
 */
final class SmtpHealthProbe implements HealthProbe {

    private final String ehloName;

    SmtpHealthProbe(String ehloName) {
        this.ehloName = ehloName;
    }

    @Override
    public String description() {
        return "SMTP greeting 220, EHLO " + ehloName + " expecting 250, QUIT";
    }

    @Override
    public ProbeSession newSession(Backend backend) {
        return new Check();
    }

    /** One check. States: waiting for the greeting, waiting for the EHLO reply, done. */
    private final class Check implements ProbeSession {

        private enum Step { GREETING, EHLO, DONE }

        private final ReplyReader reader = new ReplyReader();
        private Step step = Step.GREETING;

        @Override
        public void onConnected(ProbeActions actions) {
            // SMTP servers speak first: nothing to send yet.
        }

        @Override
        public void onServerData(ByteBuffer data, ProbeActions actions) {
            while (data.hasRemaining() && step != Step.DONE) {
                Optional<Reply> reply = reader.next(data);
                if (reply.isPresent()) {
                    onReply(reply.get(), actions);
                } else if (reader.failure().isPresent()) {
                    down(actions, "not an SMTP server: " + reader.failure().get());
                }
            }
            data.position(data.limit());
        }

        private void onReply(Reply reply, ProbeActions actions) {
            switch (step) {
                case GREETING -> {
                    if (reply.code() != 220) {
                        down(actions, "greeting was " + summary(reply) + ", not 220");
                        return;
                    }
                    send(actions, "EHLO " + ehloName);
                    step = Step.EHLO;
                }
                case EHLO -> {
                    if (reply.code() != 250) {
                        down(actions, "EHLO answered " + summary(reply) + ", not 250");
                        return;
                    }
                    send(actions, "QUIT");
                    step = Step.DONE;
                    actions.up();
                }
                case DONE -> { }
            }
        }

        private void down(ProbeActions actions, String reason) {
            step = Step.DONE;
            actions.down(reason);
        }

        private static String summary(Reply reply) {
            String text = reply.code() + " " + reply.texts().getFirst();
            return text.length() > 80 ? text.substring(0, 80) + "..." : text;
        }

        private static void send(ProbeActions actions, String command) {
            actions.send(ByteBuffer.wrap((command + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        }
    }
}

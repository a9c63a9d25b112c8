package org.protowrap.validator.smtp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.protowrap.validator.smtp.CommandParser.SmtpCommand;
import org.protowrap.validator.smtp.MailboxGrammar.Address;
import org.protowrap.validator.smtp.SmtpSettings.StartTls;

/**
 * Decides whether a well-formed command may be forwarded now: session state (RFC 5321 section
 * 4.1.4 and the extensions' own rules), advertised extensions, and the operator's anti-abuse
 * options. It lists every rule the command breaks, in the order they are checked, so that the
 * session can report the logged ones and refuse on the first enforced one.
 */
final class CommandPolicy {

    /** A rule the command breaks, and the reply the client gets if it is enforced. */
    record Refusal(SmtpRule rule, String reply, String detail) {}

    private final SmtpSession session;
    private final SmtpSettings settings;

    /** The policy of one session, for all its commands: it reads the session's state as it goes. */
    CommandPolicy(SmtpSession session, SmtpSettings settings) {
        this.session = session;
        this.settings = settings;
    }

    List<Refusal> check(SmtpCommand command) {
        List<Refusal> broken = new ArrayList<>();
        switch (command.verb()) {
            case MAIL -> mail(command, broken);
            case RCPT -> rcpt(command, broken);
            case DATA -> data(broken);
            case BDAT -> bdat(command, broken);
            case AUTH -> auth(command, broken);
            case STARTTLS -> startTls(broken);
            case VRFY -> broken.add(new Refusal(SmtpRule.VRFY, Replies.VRFY_REFUSED, "VRFY refused"));
            case EXPN -> broken.add(new Refusal(SmtpRule.EXPN, Replies.EXPN_REFUSED, "EXPN refused"));
            default -> { }
        }
        return broken;
    }

    private void mail(SmtpCommand command, List<Refusal> broken) {
        if (!session.greeted()) {
            broken.add(sequence("send HELO or EHLO first"));
        } else if (session.inTransaction()) {
            broken.add(sequence("nested MAIL command"));
        }
        pathAndParameters(command, broken);
        String size = command.params().get("SIZE");
        if (size != null && settings.maxMessageSize() > 0 && Long.parseLong(size) > settings.maxMessageSize()) {
            broken.add(new Refusal(SmtpRule.MESSAGE_TOO_BIG, Replies.MESSAGE_TOO_BIG,
                    "SIZE=" + size + " over " + settings.maxMessageSize()));
        }
        Address sender = command.path().orElseThrow();
        if (!sender.ascii() && !command.params().containsKey("SMTPUTF8")) {
            broken.add(utf8Undeclared("sender"));
        }
        if (matches(settings.senderDenyPatterns(), sender)) {
            broken.add(new Refusal(SmtpRule.SENDER_DENIED, Replies.SENDER_REJECTED, "sender denied"));
        }
    }

    private void rcpt(SmtpCommand command, List<Refusal> broken) {
        if (!session.inTransaction()) {
            broken.add(sequence("need MAIL command"));
        }
        pathAndParameters(command, broken);
        if (settings.maxRecipients() > 0 && session.recipients() >= settings.maxRecipients()) {
            broken.add(new Refusal(SmtpRule.RCPT_TOO_MANY, Replies.TOO_MANY_RECIPIENTS,
                    "more than " + settings.maxRecipients() + " recipients"));
        }
        Address recipient = command.path().orElseThrow();
        if (session.inTransaction() && !recipient.ascii() && !session.smtpUtf8Transaction()) {
            broken.add(utf8Undeclared("recipient"));
        }
        if (relayDenied(recipient)) {
            broken.add(new Refusal(SmtpRule.RCPT_RELAY_DENIED, Replies.RELAY_DENIED,
                    "recipient domain " + recipient.domain() + " is not served here"));
        }
        if (matches(settings.recipientDenyPatterns(), recipient)) {
            broken.add(new Refusal(SmtpRule.RCPT_DENIED, Replies.RECIPIENT_REJECTED, "recipient denied"));
        }
    }

    private void pathAndParameters(SmtpCommand command, List<Refusal> broken) {
        if (command.spaceAfterColon()) {
            broken.add(new Refusal(SmtpRule.PATH_SPACE_AFTER_COLON, Replies.SPACE_AFTER_COLON,
                    "space between the colon and the path"));
        }
        for (Map.Entry<String, String> param : command.params().entrySet()) {
            Parameter known = Parameter.of(param.getKey(), command.verb() == Verb.MAIL).orElseThrow();
            Extension extension = known.extension(param.getValue());
            if (!session.capabilities().has(extension)) {
                broken.add(new Refusal(SmtpRule.EXTENSION_UNADVERTISED, Replies.unsupportedOption(param.getKey()),
                        param.getKey() + " needs " + extension.keyword() + ", which was not advertised"));
            }
        }
    }

    private void data(List<Refusal> broken) {
        messageCommand(broken);
        if (session.chunked()) {
            broken.add(sequence("DATA after BDAT in the same transaction"));
        }
    }

    private void bdat(SmtpCommand command, List<Refusal> broken) {
        if (!session.capabilities().has(Extension.CHUNKING)) {
            broken.add(unadvertised("BDAT", Extension.CHUNKING));
        }
        messageCommand(broken);
        long max = settings.maxMessageSize();
        if (max > 0 && session.chunkedSize() + command.chunkSize() > max) {
            broken.add(new Refusal(SmtpRule.MESSAGE_TOO_BIG, Replies.MESSAGE_TOO_BIG,
                    "chunks add up to more than " + max + " octets"));
        }
    }

    private void messageCommand(List<Refusal> broken) {
        if (!session.inTransaction()) {
            broken.add(sequence("need MAIL command"));
        } else if (session.recipients() == 0) {
            broken.add(sequence("need RCPT command"));
        }
    }

    private void auth(SmtpCommand command, List<Refusal> broken) {
        String mechanism = command.argument().split(" ", -1)[0];
        if (!session.capabilities().has(Extension.AUTH)) {
            broken.add(unadvertised("AUTH", Extension.AUTH));
        } else if (!session.capabilities().hasAuthMechanism(mechanism)) {
            broken.add(new Refusal(SmtpRule.EXTENSION_UNADVERTISED, Replies.AUTH_MECHANISM_UNKNOWN,
                    "AUTH mechanism " + mechanism.toUpperCase(Locale.ROOT) + " was not advertised"));
        }
        if (session.authenticated()) {
            broken.add(sequence("already authenticated"));
        } else if (session.inTransaction()) {
            broken.add(sequence("AUTH not allowed during a mail transaction"));
        }
    }

    private void startTls(List<Refusal> broken) {
        if (settings.starttls() == StartTls.TERMINATE) {
            terminatedStartTls(broken);
            return;
        }
        if (settings.starttls() == StartTls.DENY) {
            broken.add(new Refusal(SmtpRule.STARTTLS_DENIED, Replies.STARTTLS_NOT_AVAILABLE,
                    "STARTTLS refused: the session must stay inspectable"));
        }
        if (!session.capabilities().has(Extension.STARTTLS)) {
            broken.add(unadvertised("STARTTLS", Extension.STARTTLS));
        }
    }

    /**
     * STARTTLS the wrapper answers: once per connection (RFC 3207 section 4.2), not in the middle
     * of a transaction, nor after AUTH: the server would keep what was settled in plain text.
     */
    private void terminatedStartTls(List<Refusal> broken) {
        if (session.tlsRequested()) {
            broken.add(sequence("TLS already active"));
            return;
        }
        if (!session.capabilities().has(Extension.STARTTLS)) {
            broken.add(unadvertised("STARTTLS", Extension.STARTTLS));
        }
        if (session.inTransaction()) {
            broken.add(sequence("STARTTLS not allowed during a mail transaction"));
        }
        if (session.authenticated()) {
            broken.add(sequence("STARTTLS not allowed after AUTH"));
        }
    }

    private boolean relayDenied(Address recipient) {
        if (settings.allowedRecipientDomains().isEmpty() || recipient.domain().isEmpty()
                || (session.authenticated() && settings.relayAfterAuth())) {
            return false;
        }
        String domain = recipient.domain().toLowerCase(Locale.ROOT);
        for (String allowed : settings.allowedRecipientDomains()) {
            if (allowed.startsWith(".") ? domain.endsWith(allowed) : domain.equals(allowed)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(List<Pattern> patterns, Address address) {
        String text = address.text();
        return patterns.stream().anyMatch(p -> p.matcher(text).find());
    }

    /** RFC 6531 section 3.4: without SMTPUTF8 on MAIL, the server must refuse non-ASCII addresses. */
    private static Refusal utf8Undeclared(String which) {
        return new Refusal(SmtpRule.UTF8_UNDECLARED, Replies.utf8Undeclared(which),
                "non-ASCII " + which + " address, but MAIL carried no SMTPUTF8");
    }

    private static Refusal sequence(String detail) {
        return new Refusal(SmtpRule.COMMAND_SEQUENCE, Replies.badSequence(detail), detail);
    }

    private static Refusal unadvertised(String command, Extension extension) {
        return new Refusal(SmtpRule.EXTENSION_UNADVERTISED, Replies.COMMAND_NOT_IMPLEMENTED,
                command + " needs " + extension.keyword() + ", which was not advertised");
    }
}

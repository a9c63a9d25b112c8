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

    private static final String BAD_SEQUENCE = "503 5.5.1 Error: ";
    private static final String TOO_BIG = "552 5.3.4 Message size exceeds fixed maximum message size";

    private final SmtpSession session;
    private final SmtpSettings settings;
    private final Capabilities capabilities;

    CommandPolicy(SmtpSession session) {
        this.session = session;
        this.settings = session.settings();
        this.capabilities = session.capabilities();
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
            // 252, not 502: RFC 5321 section 7.3 wants no code that reads as a verdict on the address
            case VRFY -> broken.add(new Refusal(SmtpRule.VRFY,
                    "252 2.0.0 Cannot VRFY user, but will accept message and attempt delivery", "VRFY refused"));
            case EXPN -> broken.add(new Refusal(SmtpRule.EXPN,
                    "252 2.0.0 Cannot EXPN list, but will accept message and attempt delivery", "EXPN refused"));
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
            broken.add(new Refusal(SmtpRule.MESSAGE_TOO_BIG, TOO_BIG, "SIZE=" + size + " over " + settings.maxMessageSize()));
        }
        Address sender = command.path().orElseThrow();
        if (!sender.ascii() && !command.params().containsKey("SMTPUTF8")) {
            broken.add(utf8Undeclared("sender"));
        }
        if (matches(settings.senderDenyPatterns(), sender)) {
            broken.add(new Refusal(SmtpRule.SENDER_DENIED, "550 5.7.1 Sender address rejected", "sender denied"));
        }
    }

    private void rcpt(SmtpCommand command, List<Refusal> broken) {
        if (!session.inTransaction()) {
            broken.add(sequence("need MAIL command"));
        }
        pathAndParameters(command, broken);
        if (settings.maxRecipients() > 0 && session.recipients() >= settings.maxRecipients()) {
            broken.add(new Refusal(SmtpRule.RCPT_TOO_MANY, "452 4.5.3 Error: too many recipients",
                    "more than " + settings.maxRecipients() + " recipients"));
        }
        Address recipient = command.path().orElseThrow();
        if (session.inTransaction() && !recipient.ascii() && !session.smtpUtf8Transaction()) {
            broken.add(utf8Undeclared("recipient"));
        }
        if (relayDenied(recipient)) {
            broken.add(new Refusal(SmtpRule.RCPT_RELAY_DENIED, "554 5.7.1 Relay access denied",
                    "recipient domain " + recipient.domain() + " is not served here"));
        }
        if (matches(settings.recipientDenyPatterns(), recipient)) {
            broken.add(new Refusal(SmtpRule.RCPT_DENIED, "550 5.7.1 Recipient address rejected", "recipient denied"));
        }
    }

    private void pathAndParameters(SmtpCommand command, List<Refusal> broken) {
        if (command.spaceAfterColon()) {
            broken.add(new Refusal(SmtpRule.PATH_SPACE_AFTER_COLON, "501 5.5.4 Syntax error: no space allowed after the colon",
                    "space between the colon and the path"));
        }
        for (Map.Entry<String, String> param : command.params().entrySet()) {
            Parameter known = Parameter.of(param.getKey(), command.verb() == Verb.MAIL).orElseThrow();
            Extension extension = known.extension(param.getValue());
            if (!capabilities.has(extension)) {
                broken.add(new Refusal(SmtpRule.EXTENSION_UNADVERTISED, "555 5.5.4 Unsupported option: " + param.getKey(),
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
        if (!capabilities.has(Extension.CHUNKING)) {
            broken.add(unadvertised("BDAT", Extension.CHUNKING));
        }
        messageCommand(broken);
        long max = settings.maxMessageSize();
        if (max > 0 && session.chunkedSize() + command.chunkSize() > max) {
            broken.add(new Refusal(SmtpRule.MESSAGE_TOO_BIG, TOO_BIG, "chunks add up to more than " + max + " octets"));
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
        if (!capabilities.has(Extension.AUTH)) {
            broken.add(unadvertised("AUTH", Extension.AUTH));
        } else if (!capabilities.hasAuthMechanism(mechanism)) {
            broken.add(new Refusal(SmtpRule.EXTENSION_UNADVERTISED, "504 5.5.4 Unrecognized authentication type",
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
            broken.add(new Refusal(SmtpRule.STARTTLS_DENIED, "502 5.5.1 STARTTLS not available",
                    "STARTTLS refused: the session must stay inspectable"));
        }
        if (!capabilities.has(Extension.STARTTLS)) {
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
        if (!capabilities.has(Extension.STARTTLS)) {
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
        return new Refusal(SmtpRule.UTF8_UNDECLARED, "553 5.6.7 Non-ASCII " + which + " address needs MAIL FROM with SMTPUTF8",
                "non-ASCII " + which + " address, but MAIL carried no SMTPUTF8");
    }

    private static Refusal sequence(String detail) {
        return new Refusal(SmtpRule.COMMAND_SEQUENCE, BAD_SEQUENCE + detail, detail);
    }

    private static Refusal unadvertised(String command, Extension extension) {
        return new Refusal(SmtpRule.EXTENSION_UNADVERTISED, "502 5.5.1 Command not implemented",
                command + " needs " + extension.keyword() + ", which was not advertised");
    }
}

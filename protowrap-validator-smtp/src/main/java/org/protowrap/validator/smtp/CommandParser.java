package org.protowrap.validator.smtp;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.protowrap.validator.smtp.MailboxGrammar.Address;

/**
 * Parses one command line (without its CRLF) against the grammar of RFC 5321 and of the
 * extensions the wrapper understands. It checks form only: whether the command is allowed now,
 * or its extension was advertised, is the session's business.
 */
final class CommandParser {

    private static final int MAX_CHUNK_DIGITS = 18;
    private static final int MAX_AUTH_MECHANISM = 20;

    private CommandParser() {}

    /** The outcome: a command, or the reason it is refused. */
    sealed interface Parsed permits SmtpCommand, Refused {}

    /**
     * A command that follows the grammar.
     *
     * @param verb the verb
     * @param argument the text after the verb and its space, as sent
     * @param path MAIL's reverse-path or RCPT's forward-path
     * @param spaceAfterColon whether a space came between {@code FROM:}/{@code TO:} and the path
     * @param params MAIL or RCPT parameters, keywords in upper case, in order
     * @param chunkSize BDAT's chunk size
     * @param last whether BDAT carries LAST
     */
    record SmtpCommand(Verb verb, String argument, Optional<Address> path, boolean spaceAfterColon,
            Map<String, String> params, long chunkSize, boolean last) implements Parsed {}

    /**
     * A line that is not a valid command: the rule it breaks, the reply the client gets, and the
     * verb when the line had a known one.
     */
    record Refused(SmtpRule rule, String reply, String detail, Optional<Verb> verb) implements Parsed {
        Refused(SmtpRule rule, String reply, String detail) {
            this(rule, reply, detail, Optional.empty());
        }
    }

    static Parsed parse(byte[] line, int length, boolean utf8) {
        Optional<Verb> verb = verbOf(line, length);
        Optional<String> text = decode(line, length, utf8);
        if (text.isEmpty()) {
            String detail = utf8 ? "control characters or malformed UTF-8" : "control or 8-bit characters without SMTPUTF8";
            return new Refused(SmtpRule.COMMAND_SYNTAX, Replies.SYNTAX, detail, verb);
        }
        String s = text.get();
        int space = s.indexOf(' ');
        if (verb.isEmpty()) {
            return new Refused(SmtpRule.COMMAND_UNKNOWN, Replies.COMMAND_UNRECOGNIZED, "unknown command");
        }
        String argument = space < 0 ? "" : s.substring(space + 1);
        if (space >= 0 && (argument.isEmpty() || argument.startsWith(" ") || argument.endsWith(" "))) {
            return new Refused(SmtpRule.COMMAND_SYNTAX, Replies.SYNTAX, "extra spaces around the argument", verb);
        }
        Parsed parsed = parse(verb.get(), argument, utf8);
        return parsed instanceof Refused r ? new Refused(r.rule(), r.reply(), r.detail(), verb) : parsed;
    }

    /**
     * The verb as a server would see it: the first word, ended by a space, a tab or the end of
     * the line. A tab makes the line a syntax error here, but it still names the verb, so that a
     * relaxed rule never lets an unparsed BDAT through as something else.
     */
    private static Optional<Verb> verbOf(byte[] line, int length) {
        int end = 0;
        while (end < length && line[end] != ' ' && line[end] != '\t') {
            end++;
        }
        return Verb.of(new String(line, 0, end, StandardCharsets.ISO_8859_1));
    }

    private static Parsed parse(Verb verb, String argument, boolean utf8) {
        return switch (verb) {
            case DATA, RSET, QUIT, STARTTLS -> argument.isEmpty() ? simple(verb, argument) : syntax(verb + " takes no argument");
            case NOOP, HELP -> simple(verb, argument);
            case VRFY, EXPN -> argument.isEmpty() ? syntax(verb + " needs an argument") : simple(verb, argument);
            case HELO, EHLO -> greeting(verb, argument, utf8);
            case MAIL -> pathCommand(verb, argument, "FROM:", utf8);
            case RCPT -> pathCommand(verb, argument, "TO:", utf8);
            case BDAT -> bdat(argument);
            case AUTH -> auth(argument);
        };
    }

    /**
     * {@code HELO domain} and {@code EHLO domain-or-address-literal}. A name that is not a
     * domain (an underscore, a bare IP address) has its own rule, so that it can be relaxed alone.
     */
    private static Parsed greeting(Verb verb, String argument, boolean utf8) {
        if (argument.isEmpty() || argument.contains(" ")) {
            return syntax(verb + " needs one argument");
        }
        boolean literalAllowed = verb == Verb.EHLO;
        if (MailboxGrammar.isDomain(argument, utf8) || (literalAllowed && MailboxGrammar.isAddressLiteral(argument))) {
            return simple(verb, argument);
        }
        return new Refused(SmtpRule.HELO_SYNTAX, Replies.SYNTAX,
                verb + " argument is not a domain" + (literalAllowed ? " or an address literal" : ""));
    }

    private static SmtpCommand simple(Verb verb, String argument) {
        return new SmtpCommand(verb, argument, Optional.empty(), false, Map.of(), 0, false);
    }

    private static Refused syntax(String detail) {
        return new Refused(SmtpRule.COMMAND_SYNTAX, Replies.SYNTAX, detail);
    }

    /** {@code MAIL FROM:<path> [params]} and {@code RCPT TO:<path> [params]}. */
    private static Parsed pathCommand(Verb verb, String argument, String keyword, boolean utf8) {
        if (!argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            return syntax(verb + " needs " + keyword);
        }
        String rest = argument.substring(keyword.length());
        boolean spaceAfterColon = rest.startsWith(" ");
        if (spaceAfterColon) {
            rest = rest.substring(1);
        }
        int end = pathEnd(rest);
        if (end < 0) {
            return syntax(verb + " needs a path in angle brackets");
        }
        boolean mail = verb == Verb.MAIL;
        Optional<Address> path = MailboxGrammar.path(rest.substring(0, end), mail, !mail, utf8);
        if (path.isEmpty()) {
            return syntax("malformed " + (mail ? "reverse-path" : "forward-path"));
        }
        String tail = rest.substring(end);
        if (!tail.isEmpty() && !tail.startsWith(" ")) {
            return syntax("text after the path");
        }
        Map<String, String> params = new LinkedHashMap<>();
        Optional<Refused> refused = params(tail.isEmpty() ? "" : tail.substring(1), mail, params);
        if (refused.isPresent()) {
            return refused.get();
        }
        return new SmtpCommand(verb, argument, path, spaceAfterColon, params, 0, false);
    }

    /** The index after the {@code >} that closes the path, outside quoted strings; -1 if none. */
    private static int pathEnd(String s) {
        if (!s.startsWith("<")) {
            return -1;
        }
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i + 1;
            }
        }
        return -1;
    }

    /** {@code esmtp-param *(SP esmtp-param)}, each checked against its extension's grammar. */
    private static Optional<Refused> params(String text, boolean mail, Map<String, String> params) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        for (String param : text.split(" ", -1)) {
            int eq = param.indexOf('=');
            String key = (eq < 0 ? param : param.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : param.substring(eq + 1);
            if (!isKeyword(key) || (eq >= 0 && !isParamValue(value))) {
                return Optional.of(syntax("malformed parameter"));
            }
            if (params.containsKey(key)) {
                return Optional.of(syntax("parameter " + key + " given twice"));
            }
            Optional<Parameter> known = Parameter.of(key, mail);
            if (known.isEmpty()) {
                return Optional.of(new Refused(SmtpRule.PARAM_UNKNOWN, Replies.PARAMETER_UNKNOWN,
                        "unknown parameter " + key));
            }
            if (!known.get().accepts(value, eq >= 0)) {
                return Optional.of(syntax("bad value for " + key));
            }
            params.put(key, value);
        }
        return Optional.empty();
    }

    private static boolean isKeyword(String key) {
        return !key.isEmpty() && Character.isLetterOrDigit(key.charAt(0))
                && key.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-');
    }

    private static boolean isParamValue(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= 33 && c <= 126 && c != '=');
    }

    /** {@code BDAT SP chunk-size [SP "LAST"]} (RFC 3030). */
    private static Parsed bdat(String argument) {
        String[] parts = argument.split(" ", -1);
        boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
        if (parts.length > 2 || (parts.length == 2 && !last)) {
            return syntax("BDAT takes a size and optionally LAST");
        }
        String size = parts[0];
        if (size.isEmpty() || size.length() > MAX_CHUNK_DIGITS || !size.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return syntax("BDAT chunk size is not a number");
        }
        return new SmtpCommand(Verb.BDAT, argument, Optional.empty(), false, Map.of(), Long.parseLong(size), last);
    }

    /** {@code AUTH SP mechanism [SP initial-response]} (RFC 4954). */
    private static Parsed auth(String argument) {
        String[] parts = argument.split(" ", -1);
        String mechanism = parts[0];
        boolean mechanismOk = !mechanism.isEmpty() && mechanism.length() <= MAX_AUTH_MECHANISM
                && mechanism.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
                        || (c >= '0' && c <= '9') || c == '-' || c == '_');
        boolean responseOk = parts.length == 1
                || (parts.length == 2 && (parts[1].equals("=") || (!parts[1].isEmpty() && MailboxGrammar.isBase64(parts[1]))));
        if (!mechanismOk || !responseOk) {
            return syntax("AUTH takes a mechanism and optionally a base64 initial response");
        }
        return new SmtpCommand(Verb.AUTH, argument, Optional.empty(), false, Map.of(), 0, false);
    }

    /** The line as text: ASCII without controls, or with {@code utf8} also well-formed UTF-8. */
    private static Optional<String> decode(byte[] line, int length, boolean utf8) {
        boolean eightBit = false;
        for (int i = 0; i < length; i++) {
            int b = line[i] & 0xff;
            if (b < 0x20 || b == 0x7f) {
                return Optional.empty();
            }
            eightBit |= b >= 0x80;
        }
        if (!eightBit) {
            return Optional.of(new String(line, 0, length, StandardCharsets.US_ASCII));
        }
        if (!utf8) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}

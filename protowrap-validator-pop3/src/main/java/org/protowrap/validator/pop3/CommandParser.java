package org.protowrap.validator.pop3;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses one command line (without its line end) by the grammar of RFC 1939 section 3 and the
 * extensions: a keyword of three or four letters, then arguments separated by exactly one space.
 * PASS takes the rest of the line as one argument, spaces included (RFC 1939 section 7).
 */
final class CommandParser {

    /** A parse result. */
    sealed interface Parsed permits Command, Refused {}

    /** A well-formed command of a known verb. */
    record Command(Verb verb, List<String> arguments) implements Parsed {}

    /**
     * A line the grammar refuses.
     *
     * @param verb the verb, when the keyword was known
     */
    record Refused(Pop3Rule rule, String detail, String reply, Optional<Verb> verb, int argumentCount)
            implements Parsed {}

    private static final Pattern KEYWORD = Pattern.compile("[A-Za-z]{3,4}");
    private static final Pattern MESSAGE = Pattern.compile("[1-9][0-9]{0,9}");
    private static final Pattern LINES = Pattern.compile("0|[1-9][0-9]{0,9}");
    private static final Pattern DIGEST = Pattern.compile("[0-9A-Fa-f]{32}");
    private static final Pattern MECHANISM = Pattern.compile("[A-Za-z0-9_-]{1,20}");
    private static final Pattern BASE64 = Pattern.compile("=|([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");
    private static final Pattern PRINTABLE = Pattern.compile("[\\x21-\\x7e\\x80-\\xff]+");

    private CommandParser() {}

    static Parsed parse(byte[] line) {
        String text = new String(line, StandardCharsets.ISO_8859_1);
        int space = text.indexOf(' ');
        String keyword = space < 0 ? text : text.substring(0, space);
        Optional<Verb> verb = KEYWORD.matcher(keyword).matches() ? Verb.of(keyword) : Optional.empty();
        if (verb.isEmpty()) {
            return new Refused(Pop3Rule.COMMAND_UNKNOWN, "unknown command", "-ERR Unknown command", verb, 0);
        }
        String rest = space < 0 ? null : text.substring(space + 1);
        if (verb.get() == Verb.PASS) {
            return rest == null || rest.isEmpty() || hasControl(rest)
                    ? syntax(verb.get(), "PASS needs a password of printable characters", 1)
                    : new Command(Verb.PASS, List.of(rest));
        }
        List<String> arguments = rest == null ? List.of() : List.of(rest.split(" ", -1));
        return check(verb.get(), arguments);
    }

    private static Parsed check(Verb verb, List<String> args) {
        if (!args.stream().allMatch(a -> PRINTABLE.matcher(a).matches())) {
            return syntax(verb, "arguments are separated by exactly one space and hold no control characters",
                    args.size());
        }
        boolean ok = switch (verb.arguments()) {
            case NONE -> args.isEmpty();
            case ONE_WORD -> args.size() == 1;
            case REST -> !args.isEmpty();
            case NAME_DIGEST -> args.size() == 2 && DIGEST.matcher(args.get(1)).matches();
            case MECHANISM -> args.isEmpty() || (args.size() <= 2 && MECHANISM.matcher(args.get(0)).matches()
                    && (args.size() == 1 || BASE64.matcher(args.get(1)).matches()));
            case MESSAGE -> args.size() == 1 && MESSAGE.matcher(args.get(0)).matches();
            case OPTIONAL_MESSAGE -> args.isEmpty() || (args.size() == 1 && MESSAGE.matcher(args.get(0)).matches());
            case MESSAGE_LINES -> args.size() == 2 && MESSAGE.matcher(args.get(0)).matches()
                    && LINES.matcher(args.get(1)).matches();
        };
        return ok ? new Command(verb, args) : syntax(verb, verb + " " + usage(verb), args.size());
    }

    private static String usage(Verb verb) {
        return switch (verb.arguments()) {
            case NONE -> "takes no argument";
            case ONE_WORD -> "takes one name";
            case REST -> "takes an argument";
            case NAME_DIGEST -> "takes a name and a 32-digit hexadecimal digest";
            case MECHANISM -> "takes a SASL mechanism and an optional base64 initial response";
            case MESSAGE -> "takes a message number";
            case OPTIONAL_MESSAGE -> "takes an optional message number";
            case MESSAGE_LINES -> "takes a message number and a number of lines";
        };
    }

    private static Refused syntax(Verb verb, String detail, int argumentCount) {
        return new Refused(Pop3Rule.COMMAND_SYNTAX, detail, "-ERR Syntax error: " + detail, Optional.of(verb),
                argumentCount);
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    /** Whether a SASL response line is base64 (empty, or {@code =}, for an empty response) or {@code *}, the cancel. */
    static boolean isSaslResponse(String line) {
        return line.equals("*") || BASE64.matcher(line).matches();
    }
}

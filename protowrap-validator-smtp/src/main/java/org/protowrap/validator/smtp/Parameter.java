package org.protowrap.validator.smtp;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The MAIL and RCPT parameters the wrapper understands, with their value grammar and extension. */
enum Parameter {
    SIZE(true, Extension.SIZE),
    BODY(true, Extension.EIGHT_BIT_MIME),
    SMTPUTF8(true, Extension.SMTPUTF8),
    RET(true, Extension.DSN),
    ENVID(true, Extension.DSN),
    AUTH(true, Extension.AUTH),
    NOTIFY(false, Extension.DSN),
    ORCPT(false, Extension.DSN);

    private static final int MAX_SIZE_DIGITS = 18;
    private static final int MAX_ENVID = 100;
    private static final Set<String> NOTIFY_WORDS = Set.of("SUCCESS", "FAILURE", "DELAY");

    private final boolean onMail;
    private final Extension extension;

    Parameter(boolean onMail, Extension extension) {
        this.onMail = onMail;
        this.extension = extension;
    }

    static Optional<Parameter> of(String keyword, boolean mail) {
        for (Parameter p : values()) {
            if (p.name().equals(keyword) && p.onMail == mail) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The extension that must have been advertised for this parameter with this value. */
    Extension extension(String value) {
        return this == BODY && value.equalsIgnoreCase("BINARYMIME") ? Extension.BINARYMIME : extension;
    }

    /** Whether the value follows the parameter's grammar (RFC 1870, 6152, 3030, 6531, 3461, 4954). */
    boolean accepts(String value, boolean hasValue) {
        String upper = value.toUpperCase(Locale.ROOT);
        return switch (this) {
            case SIZE -> hasValue && value.length() <= MAX_SIZE_DIGITS && value.chars().allMatch(c -> c >= '0' && c <= '9');
            case BODY -> upper.equals("7BIT") || upper.equals("8BITMIME") || upper.equals("BINARYMIME");
            case SMTPUTF8 -> !hasValue;
            case RET -> upper.equals("FULL") || upper.equals("HDRS");
            case ENVID -> value.length() <= MAX_ENVID && MailboxGrammar.isXtext(value);
            case AUTH -> value.equals("<>") || MailboxGrammar.isXtext(value);
            case NOTIFY -> isNotify(upper);
            case ORCPT -> isOrcpt(value);
        };
    }

    private static boolean isNotify(String upper) {
        if (upper.equals("NEVER")) {
            return true;
        }
        List<String> words = List.of(upper.split(",", -1));
        Set<String> distinct = new HashSet<>(words);
        return distinct.size() == words.size() && NOTIFY_WORDS.containsAll(distinct);
    }

    private static boolean isOrcpt(String value) {
        int semicolon = value.indexOf(';');
        return semicolon > 0 && value.substring(0, semicolon).chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-')
                && MailboxGrammar.isXtext(value.substring(semicolon + 1));
    }
}

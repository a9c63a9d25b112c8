package org.protowrap.validator.pop3;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The POP3 commands the wrapper frames responses for (RFC 1939, 2449, 2595, 5034): in which
 * states each is valid, and what its arguments look like. The response to a command is
 * multi-line only after {@code +OK}, and for LIST, UIDL and AUTH only without an argument.
 */
enum Verb {
    USER(Arguments.ONE_WORD, true, false, false),
    PASS(Arguments.REST, true, false, false),
    APOP(Arguments.NAME_DIGEST, true, false, false),
    AUTH(Arguments.MECHANISM, true, false, false),
    STLS(Arguments.NONE, true, false, false),
    CAPA(Arguments.NONE, true, true, true),
    QUIT(Arguments.NONE, true, true, false),
    STAT(Arguments.NONE, false, true, false),
    LIST(Arguments.OPTIONAL_MESSAGE, false, true, true),
    RETR(Arguments.MESSAGE, false, true, true),
    DELE(Arguments.MESSAGE, false, true, false),
    NOOP(Arguments.NONE, false, true, false),
    RSET(Arguments.NONE, false, true, false),
    TOP(Arguments.MESSAGE_LINES, false, true, true),
    UIDL(Arguments.OPTIONAL_MESSAGE, false, true, true);

    /** The argument grammars. */
    enum Arguments { NONE, ONE_WORD, REST, NAME_DIGEST, MECHANISM, MESSAGE, OPTIONAL_MESSAGE, MESSAGE_LINES }

    private final Arguments arguments;
    private final boolean authorization;
    private final boolean transaction;
    private final boolean multiLine;

    Verb(Arguments arguments, boolean authorization, boolean transaction, boolean multiLine) {
        this.arguments = arguments;
        this.authorization = authorization;
        this.transaction = transaction;
        this.multiLine = multiLine;
    }

    Arguments arguments() {
        return arguments;
    }

    boolean validIn(Pop3State state) {
        return switch (state) {
            case AUTHORIZATION -> authorization;
            case TRANSACTION -> transaction;
            case UPDATE -> false;
        };
    }

    /** Whether {@code +OK} to this command with this many arguments starts a multi-line response. */
    boolean multiLine(int argumentCount) {
        return switch (this) {
            case LIST, UIDL, AUTH -> argumentCount == 0;
            default -> multiLine;
        };
    }

    /** Whether the line carries credentials: never logged, never excerpted. */
    boolean credentials() {
        return this == PASS || this == APOP || this == AUTH;
    }

    /** Whether its response changes what the client may send next: the client must wait for it. */
    boolean changesState() {
        return this == USER || this == PASS || this == APOP || this == AUTH || this == STLS || this == QUIT;
    }

    static Optional<Verb> of(String keyword) {
        String upper = keyword.toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(v -> v.name().equals(upper)).findFirst();
    }
}

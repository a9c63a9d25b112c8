package org.protowrap.validator.smtp;

import java.util.Locale;
import java.util.Optional;

/**
 * The service extensions the wrapper understands, by their EHLO keyword. A server's EHLO reply
 * reaches the client with these keywords only: the wrapper cannot vouch for an extension whose
 * commands it does not know, so it does not advertise one.
 */
enum Extension {
    SIZE("SIZE"),
    PIPELINING("PIPELINING"),
    CHUNKING("CHUNKING"),
    BINARYMIME("BINARYMIME"),
    EIGHT_BIT_MIME("8BITMIME"),
    SMTPUTF8("SMTPUTF8"),
    DSN("DSN"),
    STARTTLS("STARTTLS"),
    AUTH("AUTH"),
    ENHANCEDSTATUSCODES("ENHANCEDSTATUSCODES");

    private final String keyword;

    Extension(String keyword) {
        this.keyword = keyword;
    }

    String keyword() {
        return keyword;
    }

    static Optional<Extension> byKeyword(String keyword) {
        String upper = keyword.toUpperCase(Locale.ROOT);
        for (Extension e : values()) {
            if (e.keyword.equals(upper)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}

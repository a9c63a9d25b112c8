package org.protowrap.validator.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the server advertised in its last successful EHLO reply, limited to the extensions the
 * wrapper understands, and the reply the client sees instead of the server's: the same lines,
 * without the extensions the wrapper does not let through.
 */
final class Capabilities {

    /** What becomes of STARTTLS in the reply. */
    enum StartTlsLine {
        /** Left out: the wrapper refuses STARTTLS, or TLS is already on. */
        HIDE,
        /** Kept if the server offers it: the server answers it. */
        RELAY,
        /** Offered whatever the server says: the wrapper answers it. */
        OFFER
    }

    static final Capabilities NONE = new Capabilities(EnumSet.noneOf(Extension.class), Set.of(), List.of());

    private final Set<Extension> extensions;
    private final Set<String> authMechanisms;
    private final List<String> keptLines;

    private Capabilities(Set<Extension> extensions, Set<String> authMechanisms, List<String> keptLines) {
        this.extensions = extensions;
        this.authMechanisms = authMechanisms;
        this.keptLines = keptLines;
    }

    /**
     * Reads an EHLO reply's lines (the first names the server). STARTTLS is kept, dropped or
     * offered as {@code startTls} says (offered in the server's place for it, else last); SIZE is
     * lowered to {@code maxMessageSize} when that is set and smaller.
     */
    static Capabilities of(List<String> texts, StartTlsLine startTls, long maxMessageSize) {
        Set<Extension> extensions = EnumSet.noneOf(Extension.class);
        Set<String> mechanisms = new TreeSet<>();
        List<String> kept = new ArrayList<>();
        kept.add(texts.getFirst());
        for (String line : texts.subList(1, texts.size())) {
            String[] words = line.trim().split(" +");
            Optional<Extension> known = Extension.byKeyword(words[0]);
            if (known.isEmpty() || (known.get() == Extension.STARTTLS && startTls != StartTlsLine.RELAY)) {
                continue;
            }
            extensions.add(known.get());
            if (known.get() == Extension.AUTH) {
                for (int i = 1; i < words.length; i++) {
                    mechanisms.add(words[i].toUpperCase(Locale.ROOT));
                }
            }
            kept.add(known.get() == Extension.SIZE ? size(words, maxMessageSize) : line);
        }
        if (startTls == StartTlsLine.OFFER) {
            extensions.add(Extension.STARTTLS);
            kept.add(offeredAt(texts), Extension.STARTTLS.keyword());
        }
        return new Capabilities(extensions, Set.copyOf(mechanisms), List.copyOf(kept));
    }

    /** Where the server listed STARTTLS among the lines kept, or the end. */
    private static int offeredAt(List<String> texts) {
        int at = 1;
        for (String line : texts.subList(1, texts.size())) {
            Optional<Extension> known = Extension.byKeyword(line.trim().split(" +")[0]);
            if (known.filter(e -> e == Extension.STARTTLS).isPresent()) {
                return at;
            }
            if (known.isPresent()) {
                at++;
            }
        }
        return at;
    }

    private static String size(String[] words, long maxMessageSize) {
        long advertised = words.length > 1 && words[1].matches("[0-9]{1,18}") ? Long.parseLong(words[1]) : 0;
        if (maxMessageSize > 0 && (advertised == 0 || advertised > maxMessageSize)) {
            return "SIZE " + maxMessageSize;
        }
        return String.join(" ", words);
    }

    boolean has(Extension extension) {
        return extensions.contains(extension);
    }

    boolean hasAuthMechanism(String mechanism) {
        return authMechanisms.contains(mechanism.toUpperCase(Locale.ROOT));
    }

    /** The EHLO reply for the client, with the lines kept. */
    byte[] reply(int code) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < keptLines.size(); i++) {
            out.append(code).append(i == keptLines.size() - 1 ? ' ' : '-').append(keptLines.get(i)).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}

package org.protowrap.validator.smtp;

import java.util.Optional;

/**
 * The address grammar of RFC 5321 section 4.1.2 (with the UTF-8 extensions of RFC 6531 when
 * allowed): domains, address literals, mailboxes and paths. Pure functions over strings.
 *
 * <p>It checks form, not existence: it cannot tell whether a domain resolves or a mailbox exists,
 * and it does not enforce the 64-octet local-part limit, which real senders (VERP, SRS) exceed.
 */
final class MailboxGrammar {

    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";
    private static final int MAX_DOMAIN = 255;

    private MailboxGrammar() {}

    /** A mailbox, or the null reverse-path {@code <>} (both parts empty). */
    record Address(String localPart, String domain) {
        static final Address NULL = new Address("", "");

        String text() {
            return domain.isEmpty() ? localPart : localPart + "@" + domain;
        }

        /** Whether the address is all ASCII: otherwise it needs SMTPUTF8 (RFC 6531). */
        boolean ascii() {
            return text().chars().allMatch(c -> c < 0x80);
        }
    }

    /** {@code Domain} of RFC 5321, ASCII only. */
    static boolean isDomain(String s) {
        return isDomain(s, false);
    }

    /** {@code Domain}; with {@code utf8}, labels may also hold non-ASCII characters (RFC 6531 U-labels). */
    static boolean isDomain(String s, boolean utf8) {
        if (s.isEmpty() || s.length() > MAX_DOMAIN) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (!isLabel(label, utf8)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLabel(String label, boolean utf8) {
        if (label.isEmpty() || label.length() > 63) {
            return false;
        }
        if (!isLetDig(label.charAt(0), utf8) || !isLetDig(label.charAt(label.length() - 1), utf8)) {
            return false;
        }
        return label.chars().allMatch(c -> isLetDig(c, utf8) || c == '-');
    }

    private static boolean isLetDig(int c, boolean utf8) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (utf8 && c >= 0x80);
    }

    /** {@code address-literal}: {@code [IPv4]}, {@code [IPv6:...]} or {@code [tag:content]}. */
    static boolean isAddressLiteral(String s) {
        if (s.length() < 3 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ']') {
            return false;
        }
        String inner = s.substring(1, s.length() - 1);
        if (isIpv4(inner)) {
            return true;
        }
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            return isIpv6(inner.substring(5));
        }
        int colon = inner.indexOf(':');
        return colon > 0 && isDomainLabelLike(inner.substring(0, colon)) && isDcontent(inner.substring(colon + 1));
    }

    private static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** IPv6 forms of RFC 5321: full, or compressed with {@code ::} once; either may end in IPv4. */
    private static boolean isIpv6(String s) {
        int compressed = s.indexOf("::");
        if (compressed < 0) {
            return groups(s, true) == 8;
        }
        if (s.indexOf("::", compressed + 1) >= 0) {
            return false;
        }
        String left = s.substring(0, compressed);
        String right = s.substring(compressed + 2);
        int l = left.isEmpty() ? 0 : groups(left, false);
        int r = right.isEmpty() ? 0 : groups(right, true);
        return l >= 0 && r >= 0 && l + r <= 7;
    }

    /** How many 16-bit groups {@code s} holds (an IPv4 tail counts two), or -1 if malformed. */
    private static int groups(String s, boolean ipv4Tail) {
        String[] parts = s.split(":", -1);
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (ipv4Tail && i == parts.length - 1 && p.contains(".")) {
                if (!isIpv4(p)) {
                    return -1;
                }
                n += 2;
            } else if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(MailboxGrammar::isHex)) {
                return -1;
            } else {
                n++;
            }
        }
        return n;
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isDomainLabelLike(String tag) {
        return isLabel(tag, false);
    }

    private static boolean isDcontent(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> (c >= 33 && c <= 90) || (c >= 94 && c <= 126));
    }

    /** {@code Mailbox}: {@code Local-part "@" ( Domain / address-literal )}. */
    static Optional<Address> mailbox(String s, boolean utf8) {
        int at = s.lastIndexOf('@');
        if (at <= 0) {
            return Optional.empty();
        }
        String local = s.substring(0, at);
        String domain = s.substring(at + 1);
        boolean domainOk = isDomain(domain, utf8) || isAddressLiteral(domain);
        return domainOk && isLocalPart(local, utf8) ? Optional.of(new Address(local, domain)) : Optional.empty();
    }

    /** {@code Local-part}: a dot-string or a quoted string. */
    static boolean isLocalPart(String s, boolean utf8) {
        return s.startsWith("\"") ? isQuotedString(s, utf8) : isDotString(s, utf8);
    }

    private static boolean isDotString(String s, boolean utf8) {
        for (String atom : s.split("\\.", -1)) {
            if (atom.isEmpty() || !atom.chars().allMatch(c -> isAtext(c, utf8))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAtext(int c, boolean utf8) {
        return isLetDig(c, utf8) || ATEXT_SPECIALS.indexOf(c) >= 0;
    }

    private static boolean isQuotedString(String s, boolean utf8) {
        if (s.length() < 2 || !s.endsWith("\"")) {
            return false;
        }
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
                if (i >= s.length() - 1 || s.charAt(i) < 32 || s.charAt(i) > 126) {
                    return false;
                }
            } else if (!(c == 32 || c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 126) || (utf8 && c >= 0x80))) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code Path} in angle brackets, with an optional source route (accepted and ignored, as
     * RFC 5321 section 4.1.2 asks); with {@code nullAllowed}, also {@code <>}; with
     * {@code postmaster}, also {@code <Postmaster>}.
     */
    static Optional<Address> path(String s, boolean nullAllowed, boolean postmaster, boolean utf8) {
        if (s.length() < 2 || s.charAt(0) != '<' || s.charAt(s.length() - 1) != '>') {
            return Optional.empty();
        }
        String inner = s.substring(1, s.length() - 1);
        if (inner.isEmpty()) {
            return nullAllowed ? Optional.of(Address.NULL) : Optional.empty();
        }
        if (postmaster && inner.equalsIgnoreCase("postmaster")) {
            return Optional.of(new Address(inner, ""));
        }
        if (inner.startsWith("@")) {
            int colon = inner.indexOf(':');
            if (colon < 0 || !isSourceRoute(inner.substring(0, colon))) {
                return Optional.empty();
            }
            inner = inner.substring(colon + 1);
        }
        return mailbox(inner, utf8);
    }

    private static boolean isSourceRoute(String route) {
        for (String hop : route.split(",", -1)) {
            if (!hop.startsWith("@") || !isDomain(hop.substring(1))) {
                return false;
            }
        }
        return true;
    }

    /** {@code xtext} of RFC 3461: printable ASCII except {@code +} and {@code =}, or {@code +XX}. */
    static boolean isXtext(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '+') {
                if (i + 2 >= s.length() || !isUpperHex(s.charAt(i + 1)) || !isUpperHex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (c < 33 || c > 126 || c == '=') {
                return false;
            }
        }
        return !s.isEmpty();
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    /** Base64 of RFC 4648 with padding, as SASL exchanges use it (RFC 4954); empty is allowed. */
    static boolean isBase64(String s) {
        if (s.length() % 4 != 0) {
            return false;
        }
        int padding = s.endsWith("==") ? 2 : s.endsWith("=") ? 1 : 0;
        for (int i = 0; i < s.length() - padding; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}

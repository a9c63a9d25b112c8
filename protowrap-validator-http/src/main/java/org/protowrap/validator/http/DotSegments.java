package org.protowrap.validator.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The path a backend that resolves dot segments (RFC 3986 section 5.2.4) would serve, so that
 * {@code denyPaths} sees {@code /a/../admin} as {@code /admin}. Percent-encoded dots count as dots.
 */
final class DotSegments {

    private DotSegments() {}

    static String remove(String path) {
        List<String> out = new ArrayList<>();
        String[] segments = path.split("/", -1);
        for (int i = 1; i < segments.length; i++) {
            String dots = segments[i].toLowerCase(Locale.ROOT).replace("%2e", ".");
            boolean last = i == segments.length - 1;
            if (dots.equals("..")) {
                if (!out.isEmpty()) {
                    out.removeLast();
                }
                if (last) {
                    out.add("");
                }
            } else if (dots.equals(".")) {
                if (last) {
                    out.add("");
                }
            } else {
                out.add(segments[i]);
            }
        }
        return "/" + String.join("/", out);
    }
}

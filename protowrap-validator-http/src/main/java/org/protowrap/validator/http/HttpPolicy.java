package org.protowrap.validator.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.protowrap.api.RuleMode;

/**
 * The settings every session of one wrapper shares, read once from the wrapper's options and
 * rule modes. Immutable.
 *
 * @param modes the mode of each {@link HttpRule}, indexed by ordinal
 * @param maxBodySize the largest body in bytes; {@code -1} for no limit
 * @param methods the allowed methods, as bytes, in option order; empty for any method
 * @param upgradeProtocols the protocol names (lower case, without version) a request may ask to upgrade to
 * @param denyPaths patterns searched in the raw path of every request target
 */
record HttpPolicy(
        RuleMode[] modes,
        int maxRequestLine,
        int maxFieldLine,
        int maxHeaderSection,
        int maxFields,
        long maxBodySize,
        int maxPipelined,
        List<byte[]> methods,
        boolean allowConnect,
        List<String> upgradeProtocols,
        List<Pattern> denyPaths,
        boolean exposeRule,
        boolean sanitize,
        boolean testReply) {

    /** The methods RFC 9110 and RFC 5789 define: refused with 405 when not allowed, others with 501. */
    static final List<String> KNOWN_METHODS =
            List.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    RuleMode mode(HttpRule rule) {
        return modes[rule.ordinal()];
    }

    /** The {@code Allow} value of a 405 response. */
    String allowHeader() {
        StringBuilder allow = new StringBuilder();
        for (byte[] method : methods) {
            allow.append(allow.isEmpty() ? "" : ", ").append(new String(method, StandardCharsets.US_ASCII));
        }
        if (allowConnect) {
            allow.append(allow.isEmpty() ? "" : ", ").append("CONNECT");
        }
        return allow.toString();
    }
}

package org.protowrap.validator.http;

import java.nio.charset.StandardCharsets;

/**
 * The wrapper's own HTTP responses: a status line, {@code Connection: close}, and a short plain
 * text body that names the refusing rule (so that an operator can find it without the log)
 * unless the {@code exposeRule} option is off.
 */
final class RejectionResponse {

    private RejectionResponse() {}

    /** The response for a request refused under {@code rule}. */
    static byte[] forRule(HttpRule rule, HttpPolicy policy) {
        String extra = rule.status() == 405 ? "Allow: " + policy.allowHeader() + "\r\n" : "";
        String body = reason(rule.status()) + (policy.exposeRule() ? " (" + rule.ruleName() + ")" : "") + "\n";
        return build(rule.status(), extra, body);
    }

    /** A response with no rule behind it (a refusal by the engine). */
    static byte[] forStatus(int status, String extraFields) {
        return build(status, extraFields, reason(status) + "\n");
    }

    private static byte[] build(int status, String extraFields, String body) {
        String response = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length() + "\r\n"
                + extraFields
                + "Connection: close\r\n"
                + "\r\n"
                + body;
        return response.getBytes(StandardCharsets.US_ASCII);
    }

    static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 417 -> "Expectation Failed";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 505 -> "HTTP Version Not Supported";
            default -> "Error";
        };
    }
}

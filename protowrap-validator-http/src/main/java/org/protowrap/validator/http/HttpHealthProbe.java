package org.protowrap.validator.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.protowrap.api.Backend;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;

/**
 * Checks a backend with {@code GET <path> HTTP/1.1} (Host and {@code Connection: close}): up on
 * a 2xx or 3xx status line, down on any other status or on a reply that is not HTTP/1.x. It
 * reads only the status line; it does not follow redirects or look at the body.
 */
final class HttpHealthProbe implements HealthProbe {

    private final String path;
    private final byte[] request;

    HttpHealthProbe(String path, String host) {
        this.path = path;
        this.request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n"
                + "User-Agent: protowrap-health-check\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String description() {
        return "GET " + path + " expecting 2xx or 3xx";
    }

    @Override
    public ProbeSession newSession(Backend backend) {
        return new StatusLineProbe(request);
    }

    /** One check: sends the request, reads up to the end of the status line. */
    static final class StatusLineProbe implements ProbeSession {
        private static final int MAX_STATUS_LINE = 512;

        private final byte[] request;
        private final byte[] statusLine = new byte[MAX_STATUS_LINE];
        private int length;
        private boolean decided;

        StatusLineProbe(byte[] request) {
            this.request = request;
        }

        @Override
        public void onConnected(ProbeActions actions) {
            actions.send(ByteBuffer.wrap(request));
        }

        @Override
        public void onServerData(ByteBuffer data, ProbeActions actions) {
            while (data.hasRemaining() && !decided) {
                byte b = data.get();
                if (b == '\n' || length == MAX_STATUS_LINE) {
                    decide(actions);
                } else {
                    statusLine[length++] = b;
                }
            }
            data.position(data.limit());
        }

        private void decide(ProbeActions actions) {
            decided = true;
            String line = new String(statusLine, 0, length, StandardCharsets.ISO_8859_1).strip();
            if (!line.matches("HTTP/1\\.[01] \\d{3}( .*)?")) {
                actions.down("not an HTTP/1.x status line: " + printable(line));
                return;
            }
            char kind = line.charAt(9);
            if (kind == '2' || kind == '3') {
                actions.up();
            } else {
                actions.down("status " + line.substring(9, 12) + " to " + new String(request, 0, requestLineEnd(), StandardCharsets.US_ASCII));
            }
        }

        private int requestLineEnd() {
            int i = 0;
            while (request[i] != '\r') {
                i++;
            }
            return i;
        }

        private static String printable(String s) {
            String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
            return cut.replaceAll("[^\\x20-\\x7e]", "?");
        }
    }
}

package org.protowrap.validator.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.protowrap.api.Backend;
import org.protowrap.api.HealthProbe;
import org.protowrap.api.ProbeActions;
import org.protowrap.api.ProbeSession;
import org.protowrap.api.Refusal;
import org.protowrap.api.Rule;
import org.protowrap.api.RuleMode;
import org.protowrap.api.Validator;

/** The provider's public face: name, rules, refusals and the health probe. */
class ProviderTest {

    private final HttpValidatorProvider provider = new HttpValidatorProvider();

    @Test
    void namedHttpWithStrictDistinctRules() {
        assertEquals("http", provider.name());
        List<Rule> rules = provider.rules();
        assertEquals(rules.size(), new HashSet<>(rules.stream().map(Rule::name).toList()).size(), "rule names are unique");
        assertTrue(rules.stream().allMatch(r -> r.name().startsWith("http.")));
        // hardening beyond the RFCs is off or log by default; everything else is enforced
        assertEquals(Set.of("http.target.absolute-form", "http.target.dot-segment", "http.header.underscore",
                "http.length.required", "http.upgrade.protocol"),
                rules.stream().filter(r -> r.defaultMode() != RuleMode.ENFORCE).map(Rule::name).collect(Collectors.toSet()));
        List<String> names = rules.stream().map(Rule::name).toList();
        assertTrue(names.containsAll(List.of("http.line.bare-lf", "http.header.space-before-colon", "http.te.obfuscated",
                "http.cl.invalid", "http.cl-te.both")), names.toString());
    }

    @Test
    void moduleDeclaresTheProviderAndExportsNothing() {
        ModuleDescriptor descriptor = HttpValidatorProvider.class.getModule().getDescriptor();
        assertEquals("org.protowrap.validator.http", descriptor.name());
        assertEquals(Set.of(), descriptor.exports());
        assertEquals(List.of("org.protowrap.spi.ValidatorProvider with [org.protowrap.validator.http.HttpValidatorProvider]"),
                descriptor.provides().stream().map(p -> p.service() + " with " + p.providers()).toList());
    }

    @ParameterizedTest
    @CsvSource({"NO_BACKEND, 503", "TOO_MANY_CONNECTIONS, 503", "TIMEOUT, 408", "SHUTTING_DOWN, 503"})
    void refusalsAreHttpResponsesThatClose(Refusal reason, int status) {
        Validator validator = SessionDriver.validator();
        assertFalse(validator.serverSpeaksFirst());
        String response = new String(validator.refusal(reason).orElseThrow(), ISO_8859_1);
        assertTrue(response.startsWith("HTTP/1.1 " + status + " "), response);
        assertTrue(response.contains("\r\nConnection: close\r\n"), response);
        int body = response.indexOf("\r\n\r\n") + 4;
        assertTrue(response.contains("\r\nContent-Length: " + (response.length() - body) + "\r\n"), response);
    }

    /** Records what a probe session does. */
    private static final class ProbeRecorder implements ProbeActions {
        final StringBuilder sent = new StringBuilder();
        final List<String> verdicts = new ArrayList<>();

        @Override
        public void send(ByteBuffer bytes) {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            sent.append(new String(b, ISO_8859_1));
        }

        @Override
        public void up() {
            verdicts.add("up");
        }

        @Override
        public void down(String reason) {
            verdicts.add("down: " + reason);
        }
    }

    private static final Backend BACKEND = new Backend() {
        @Override public String name() { return "10.0.0.5:80"; }
        @Override public String host() { return "10.0.0.5"; }
        @Override public int port() { return 80; }
        @Override public int weight() { return 1; }
        @Override public boolean backup() { return false; }
        @Override public int activeConnections() { return 0; }
    };

    private static ProbeRecorder probe(Map<String, ?> options, String... replies) {
        HealthProbe probe = SessionDriver.validator(true, Map.of(), options).healthProbe().orElseThrow();
        ProbeSession session = probe.newSession(BACKEND);
        ProbeRecorder actions = new ProbeRecorder();
        session.onConnected(actions);
        for (String reply : replies) {
            session.onServerData(ByteBuffer.wrap(reply.getBytes(ISO_8859_1)), actions);
        }
        return actions;
    }

    @Test
    void probeSendsItsRequestWithHostAndClose() {
        ProbeRecorder actions = probe(Map.of("healthCheckPath", "/health", "healthCheckHost", "backend.local"));
        assertTrue(actions.sent.toString().startsWith("GET /health HTTP/1.1\r\nHost: backend.local\r\nConnection: close\r\n"), actions.sent.toString());
        assertTrue(actions.sent.toString().endsWith("\r\n\r\n"));
        assertEquals(List.of(), actions.verdicts, "no verdict before a reply");
    }

    @Test
    void probeDefaultsToSlashAndLocalhost() {
        assertTrue(probe(Map.of()).sent.toString().startsWith("GET / HTTP/1.1\r\nHost: localhost\r\n"));
    }

    @ParameterizedTest
    @CsvSource({"HTTP/1.1 200 OK, up", "HTTP/1.1 204 No Content, up", "HTTP/1.0 301 Moved, up", "HTTP/1.1 304 Not Modified, up",
        "HTTP/1.1 404 Not Found, down", "HTTP/1.1 500 Internal Server Error, down", "HTTP/1.1 503 Busy, down",
        "SSH-2.0-OpenSSH, down", "HTTP/2 200, down"})
    void probeVerdictFromTheStatusLine(String statusLine, String verdict) {
        ProbeRecorder actions = probe(Map.of(), statusLine.substring(0, 6), statusLine.substring(6) + "\r\nServer: x\r\n\r\n");
        assertEquals(1, actions.verdicts.size(), actions.verdicts.toString());
        assertTrue(actions.verdicts.get(0).startsWith(verdict), actions.verdicts.toString());
    }

    @Test
    void probeDownReasonNamesTheStatus() {
        ProbeRecorder actions = probe(Map.of("healthCheckPath", "/ready"), "HTTP/1.1 502 Bad Gateway\r\n\r\n");
        assertEquals(List.of("down: status 502 to GET /ready HTTP/1.1"), actions.verdicts);
    }
}

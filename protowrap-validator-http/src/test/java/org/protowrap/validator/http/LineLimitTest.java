package org.protowrap.validator.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.protowrap.api.ClientTls;
import org.protowrap.api.MapOptions;
import org.protowrap.api.OptionsException;
import org.protowrap.api.Problem;
import org.protowrap.api.SessionInfo;
import org.protowrap.api.ValidatorConfig;
import org.protowrap.api.ValidatorSession;
import org.protowrap.testkit.RecordingDecisions;

/** The wrapper's maxLineLength is HTTP's request line and field line limit when set; 8 KiB when not. */
class LineLimitTest {

    private static final SessionInfo INFO = new SessionInfo("test", new InetSocketAddress("127.0.0.1", 40000), 1);

    /** What the session does with a request whose Cookie field line is {@code fieldLine} bytes, CRLF included. */
    private static RecordingDecisions send(ValidatorConfig config, int fieldLine) {
        String cookie = "Cookie: a=" + "x".repeat(fieldLine - "Cookie: a=\r\n".length()) + "\r\n";
        String request = "GET / HTTP/1.1\r\nHost: example.com\r\n" + cookie + "\r\n";
        ValidatorSession session = new HttpValidatorProvider().create(config).newSession(INFO);
        RecordingDecisions out = new RecordingDecisions();
        out.fromClient(session, request.getBytes(StandardCharsets.US_ASCII));
        return out;
    }

    private static ValidatorConfig unset() {
        return new ValidatorConfig("web", 512, true, Map.of(), MapOptions.of(Map.of()), ClientTls.NONE, false);
    }

    private static ValidatorConfig set(int maxLineLength, Map<String, ?> options) {
        return new ValidatorConfig("web", maxLineLength, true, Map.of(), MapOptions.of(options), ClientTls.NONE, true);
    }

    @Test
    void unsetTheFieldLineLimitIs8KiBAsRealClientsNeed() {
        assertTrue(send(unset(), 8192).server().contains("Cookie: a="), "an 8 KiB Cookie line must pass");
        assertTrue(send(unset(), 8193).client().startsWith("HTTP/1.1 431"));
    }

    @Test
    void setItIsTheFieldLineLimit() {
        assertTrue(send(set(16384, Map.of()), 12000).server().contains("Cookie: a="));
        assertTrue(send(set(16384, Map.of()), 16385).client().startsWith("HTTP/1.1 431"));
        assertTrue(send(set(1024, Map.of()), 1025).client().startsWith("HTTP/1.1 431"));
    }

    @Test
    void theValidatorsOwnOptionOverridesIt() {
        assertTrue(send(set(1024, Map.of("maxFieldLine", "4k")), 4000).server().contains("Cookie: a="));
    }

    @Test
    void setItIsTheRequestLineLimit() {
        ValidatorSession session = new HttpValidatorProvider().create(set(100, Map.of())).newSession(INFO);
        RecordingDecisions out = new RecordingDecisions();
        String request = "GET /" + "a".repeat(100) + " HTTP/1.1\r\nHost: example.com\r\n\r\n";
        out.fromClient(session, request.getBytes(StandardCharsets.US_ASCII));
        assertTrue(out.client().startsWith("HTTP/1.1 414"), out.client());
    }

    @Test
    void aValueTooSmallForHttpIsRefusedUnderTheWrappersKey() {
        OptionsException e = assertThrows(OptionsException.class,
                () -> new HttpValidatorProvider().create(set(32, Map.of())));
        List<Problem> problems = e.problems();
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("maxLineLength", problems.get(0).key());
        assertTrue(problems.get(0).message().startsWith("32 is below 64"), problems.get(0).message());
    }
}

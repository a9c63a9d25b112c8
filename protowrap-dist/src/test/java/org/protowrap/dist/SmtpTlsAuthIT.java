package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.protowrap.dist.SmtpClients.Run;
import org.protowrap.dist.SmtpServers.SmtpServer;

/**
 * STARTTLS under {@code starttls: passthrough} and AUTH through the image, in front of a real
 * server that serves both: the message arrives once, and the wrapper's log says what it no
 * longer inspects and never holds a credential.
 */
@Timeout(90)
class SmtpTlsAuthIT {

    private static final String USER = "alice";
    private static final String PASSWORD = "s3cr3t-Pw";

    @TempDir
    Path dir;

    @Test
    void starttlsUnderPassthroughIsRelayedRawAndTheMessageArrivesOnce() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        generateSelfSignedCertificate(cert, key);
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--tls-cert", cert.toString(), "--tls-key", key.toString());
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port(), 2, "{starttls: passthrough}")) {
            Run run = SmtpClients.swaks(dir, wrapper.port(), "--tls");

            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("<~  250 2.0.0 Ok: queued"), "not accepted over TLS:\n" + run.output());
            assertEquals(1, recorder.messagesSettledTo(1).size(), "messages at the server");
            wrapper.awaitLine("relayed without inspection");
        }
    }

    /**
     * Both mechanisms deliver. Then a client sends AUTH PLAIN with its credentials inside a mail
     * transaction, which is refused and logged as {@code AUTH PLAIN ***}, and answers the
     * server's LOGIN challenge with a line that is not base64 (the password in clear): the
     * wrapper cancels the exchange with {@code *}, the server answers that, and the session
     * goes on. At logLevel 3 and 2 the log holds neither the password, nor its base64 (alone
     * and in the PLAIN string), nor the user name's base64; at 3 it does hold the other commands.
     */
    @ParameterizedTest(name = "logLevel {0}")
    @ValueSource(ints = {3, 2})
    void authCredentialsNeverReachTheLog(int logLevel) throws Exception {
        try (SmtpServer recorder = SmtpServers.recorder(dir, "--auth", USER + ":" + PASSWORD);
                SmtpWrapper wrapper = SmtpWrapper.start(dir, recorder.port(), logLevel, "{}")) {
            for (String mechanism : List.of("PLAIN", "LOGIN")) {
                Run run = SmtpClients.swaks(dir, wrapper.port(), "--auth", mechanism,
                        "--auth-user", USER, "--auth-password", PASSWORD);
                assertEquals(0, run.exit(), run.output());
                assertTrue(recorder.log().contains("auth mechanism=" + mechanism + " accepted=True"), recorder.log());
            }
            assertEquals(2, recorder.messagesSettledTo(2).size(), "messages at the server");

            try (SmtpConversation client = SmtpConversation.greeted(wrapper.port())) {
                client.expect(250, client.command("MAIL FROM:<a@example.org>"));
                client.expect(503, client.command("AUTH PLAIN " + base64("\0" + USER + "\0" + PASSWORD)));
                client.expect(250, client.command("RSET"));
                client.expect(334, client.command("AUTH LOGIN"));
                client.expect(501, client.command(PASSWORD));
                client.expect(250, client.command("NOOP"));
            }
            assertTrue(wrapper.awaitRejection("smtp.command.sequence").contains("excerpt=\"AUTH PLAIN ***\""), wrapper.log());
            assertTrue(wrapper.awaitRejection("smtp.auth.response").contains("excerpt=\"***\""), wrapper.log());
            assertNoCredentials(wrapper.log());
            if (logLevel >= 3) {
                // content is logged at 3, credentials are not: the AUTH lines went as a count only
                assertTrue(wrapper.log().contains(">server 27 bytes: MAIL FROM:<a@example.org>"), wrapper.log());
                assertTrue(wrapper.log().contains("bytes: (credentials, logged at logLevel 5 only)"), wrapper.log());
            }
        }
    }

    private static void assertNoCredentials(String log) {
        for (String secret : List.of(PASSWORD, base64("\0" + USER + "\0" + PASSWORD), base64(PASSWORD), base64(USER))) {
            String unpadded = secret.replace("=", "");
            assertFalse(log.contains(unpadded), "the wrapper's log holds \"" + unpadded + "\":\n" + log);
        }
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private void generateSelfSignedCertificate(Path cert, Path key) throws Exception {
        Process openssl = new ProcessBuilder(Tools.require("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-subj", "/CN=localhost", "-days", "1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.out").toFile()).start();
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS), "openssl did not finish");
        assertEquals(0, openssl.exitValue(), Files.readString(dir.resolve("openssl.out")));
    }
}

package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.Pop3Clients.Result;

/**
 * TLS terminated by the image's {@code pop3} wrapper in front of a real Dovecot that speaks plain
 * POP3: STLS answered by the wrapper ({@code tls: {mode: starttls}}, otherwise the documented
 * defaults) for Python's poplib and for curl, each trusting only the test's own certificate, and
 * POP3S ({@code mode: implicit}) for poplib; every message arrives byte-identical.
 */
@Timeout(120)
class Pop3TlsIT {

    @TempDir
    Path dir;

    private static final List<byte[]> MESSAGES = List.of(
            crlf("From: bob@example.org", "Subject: dots", "", ".leading dot", "..two dots", ".", "end"),
            crlf("From: dave@example.org", "Subject: short", "", "hi", ""));

    private static byte[] crlf(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void poplibStartsTlsWithTheWrapperAndRetrievesByteIdentical() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port(), 2, tls("starttls"))) {
            Result r = python(wrapper.port(), """
                    p = poplib.POP3('127.0.0.1', PORT, timeout=20)
                    print('before', 'STLS' in p.capa())
                    print(p.stls(context=ssl.create_default_context(cafile=CERT)).decode())
                    print('after', 'STLS' in p.capa(), p.sock.version() is not None)
                    try:
                        p._shortcmd('STLS')
                    except poplib.error_proto as e:
                        print(e.args[0].decode())
                    p.user(USER); p.pass_(PASSWORD)
                    count, _ = p.stat()
                    for i in range(1, count + 1):
                        _, lines, _ = p.retr(i)
                        open(OUT + '/msg' + str(i), 'wb').write(b'\\r\\n'.join(lines) + b'\\r\\n')
                    p.quit()
                    """);
            assertEquals("before True\n+OK Begin TLS negotiation\nafter False True\n-ERR TLS already active\n",
                    r.output(), dovecot.log() + wrapper.log());
            assertEquals(0, r.exit(), r.output());
            assertRetrieved("msg");
        }
    }

    @Test
    void requireTlsRefusesLoginsUntilStls() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port(), 2,
                        tls("starttls") + "    options: {requireTls: true}\n")) {
            Result r = python(wrapper.port(), """
                    p = poplib.POP3('127.0.0.1', PORT, timeout=20)
                    capa = p.capa()
                    print('STLS' in capa, 'USER' in capa, 'SASL' in capa)
                    try:
                        p.user(USER)
                    except poplib.error_proto as e:
                        print(e.args[0].decode())
                    p.stls(context=ssl.create_default_context(cafile=CERT))
                    p.user(USER); p.pass_(PASSWORD)
                    print(p.stat()[0])
                    p.quit()
                    """);
            assertEquals("True False False\n-ERR [AUTH] TLS required: use STLS first\n2\n", r.output(),
                    dovecot.log() + wrapper.log());
            assertEquals(0, r.exit(), r.output());
            wrapper.awaitLine("rule=pop3.tls.required");
        }
    }

    @Test
    void curlWithSslRequiredStartsTlsWithTheWrapper() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port(), 2, tls("starttls"))) {
            for (int i = 0; i < MESSAGES.size(); i++) {
                Path out = dir.resolve("out").resolve("curl" + (i + 1));
                Files.createDirectories(out.getParent());
                Result r = run(List.of(Tools.require("curl"), "-sS", "--max-time", "20", "--ssl-reqd", "--cacert",
                        certificate().toString(), "-o", out.toString(), "-u",
                        Pop3Dovecot.USER + ":" + Pop3Dovecot.PASSWORD,
                        "pop3://127.0.0.1:" + wrapper.port() + "/" + (i + 1)));
                assertEquals(0, r.exit(), r.output() + wrapper.log());
            }
            assertRetrieved("curl");
        }
    }

    @Test
    void poplibOverPop3sRetrievesByteIdentical() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port(), 2, tls("implicit"))) {
            Result r = python(wrapper.port(), """
                    p = poplib.POP3_SSL('127.0.0.1', PORT, timeout=20,
                                        context=ssl.create_default_context(cafile=CERT))
                    print('STLS' in p.capa())
                    p.user(USER); p.pass_(PASSWORD)
                    count, _ = p.stat()
                    for i in range(1, count + 1):
                        _, lines, _ = p.retr(i)
                        open(OUT + '/msg' + str(i), 'wb').write(b'\\r\\n'.join(lines) + b'\\r\\n')
                    p.quit()
                    """);
            assertEquals("False\n", r.output(), dovecot.log() + wrapper.log());
            assertEquals(0, r.exit(), r.output());
            assertRetrieved("msg");
        }
    }

    private void assertRetrieved(String prefix) throws IOException {
        for (int i = 0; i < MESSAGES.size(); i++) {
            assertArrayEquals(MESSAGES.get(i), Files.readAllBytes(dir.resolve("out").resolve(prefix + (i + 1))),
                    "message " + (i + 1));
        }
    }

    /** The wrapper's tls section with a throwaway certificate for 127.0.0.1, in {@code mode}. */
    private String tls(String mode) throws IOException, InterruptedException {
        Path cert = certificate();
        Path key = dir.resolve("tls-key.pem");
        Result r = run(List.of(Tools.require("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()));
        assertEquals(0, r.exit(), r.output());
        return "    tls: {certificate: %s, key: %s, mode: %s}\n".formatted(cert, key, mode);
    }

    private Path certificate() {
        return dir.resolve("tls-cert.pem");
    }

    /** A Python 3 client snippet, with CERT, the wrapper's certificate, defined too. */
    private Result python(int port, String body) throws IOException, InterruptedException {
        return Pop3Clients.python(dir, port, "CERT = '%s'\n".formatted(certificate()) + body);
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        return Pop3Clients.run(dir, command);
    }
}

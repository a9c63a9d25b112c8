package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.dist.Pop3Clients.Result;

/**
 * Mail fetched through the image's {@code pop3} wrapper, with its documented defaults, from a
 * real Dovecot by real clients (Python poplib, curl, fetchmail, getmail6): every message arrives
 * byte-identical, lines that begin with dots included; pipelined commands are answered in order;
 * STLS is hidden and refused by default and relayed raw under {@code stls: passthrough};
 * guessing passwords over one connection is cut after the default three failures; the health
 * probe passes against it; and a shutdown ends idle sessions without deleting anything.
 */
@Timeout(120)
class Pop3ClientsIT {

    @TempDir
    Path dir;

    /** Lines that begin with dots, a lone dot, a dot and a space, long lines, an empty last line. */
    private static final List<byte[]> MESSAGES = List.of(
            crlf("From: bob@example.org", "To: alice@example.org", "Subject: dots", "",
                    ".leading dot", "..two dots", ".", ". space", "...", "end"),
            crlf(Stream.concat(Stream.of("From: carol@example.org", "Subject: long", ""),
                    java.util.stream.IntStream.range(0, 3000).mapToObj(i -> (i % 7 == 0 ? "." : "") + "line " + i
                            + " " + "x".repeat(i % 900))).toArray(String[]::new)),
            crlf("From: dave@example.org", "Subject: short", "", "hi", ""));

    private static byte[] crlf(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void poplibRetrievesEveryMessageByteIdentical() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            Result r = python(wrapper.port(), """
                    p = poplib.POP3('127.0.0.1', PORT, timeout=20)
                    p.user(USER); p.pass_(PASSWORD)
                    count, _ = p.stat()
                    for i in range(1, count + 1):
                        _, lines, _ = p.retr(i)
                        open(OUT + '/msg' + str(i), 'wb').write(b'\\r\\n'.join(lines) + b'\\r\\n')
                    print('uidl', len(p.uidl()[1]), 'top', len(p.top(1, 0)[1]))
                    print('capa', sorted(p.capa()))
                    p.quit()
                    """);
            assertEquals(0, r.exit(), r.output() + dovecot.log() + wrapper.log());
            for (int i = 0; i < MESSAGES.size(); i++) {
                assertArrayEquals(MESSAGES.get(i), Files.readAllBytes(dir.resolve("out/msg" + (i + 1))),
                        "message " + (i + 1));
            }
            assertTrue(r.output().contains("uidl 3 top 4"), r.output());
            assertTrue(r.output().contains("'PIPELINING'") && !r.output().contains("'STLS'"), r.output());
        }
    }

    @Test
    void stlsIsHiddenAndRefusedByDefault() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES, true);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            Result capa = python(wrapper.port(), """
                    p = poplib.POP3('127.0.0.1', PORT, timeout=20)
                    print('STLS' in p.capa())
                    p.sock.sendall(b'STLS\\r\\n')
                    print(p.file.readline().decode().strip())
                    """);
            assertEquals("False\n-ERR Command not available\n", capa.output(), wrapper.log());
            Result curl = run(List.of(Tools.require("curl"), "-sS", "--max-time", "20", "--ssl-reqd", "-k", "-u",
                    Pop3Dovecot.USER + ":" + Pop3Dovecot.PASSWORD, "pop3://127.0.0.1:" + wrapper.port() + "/1"));
            assertTrue(curl.exit() != 0, "curl --ssl-reqd got through without TLS: " + curl.output());
        }
    }

    @Test
    void stlsPassthroughLetsCurlStartTlsWithDovecot() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES, true);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port(), 2, "    options: {stls: passthrough}\n")) {
            Path out = dir.resolve("tls1");
            Result r = run(List.of(Tools.require("curl"), "-sS", "--max-time", "20", "--ssl-reqd", "-k", "-o",
                    out.toString(), "-u", Pop3Dovecot.USER + ":" + Pop3Dovecot.PASSWORD,
                    "pop3://127.0.0.1:" + wrapper.port() + "/1"));
            assertEquals(0, r.exit(), r.output() + wrapper.log());
            assertArrayEquals(MESSAGES.get(0), Files.readAllBytes(out));
            wrapper.awaitLine("STLS accepted by the server");
        }
    }

    @Test
    void curlListsAndRetrievesByteIdentical() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            String base = "pop3://127.0.0.1:" + wrapper.port() + "/";
            Result list = run(List.of(Tools.require("curl"), "-sS", "--max-time", "20", "-u",
                    Pop3Dovecot.USER + ":" + Pop3Dovecot.PASSWORD, base));
            assertEquals(0, list.exit(), list.output() + wrapper.log());
            assertEquals(3, list.output().lines().count(), list.output());
            for (int i = 0; i < MESSAGES.size(); i++) {
                Path out = dir.resolve("curl" + (i + 1));
                Result r = run(List.of(Tools.require("curl"), "-sS", "--max-time", "20", "-o", out.toString(), "-u",
                        Pop3Dovecot.USER + ":" + Pop3Dovecot.PASSWORD, base + (i + 1)));
                assertEquals(0, r.exit(), r.output() + wrapper.log());
                assertArrayEquals(MESSAGES.get(i), Files.readAllBytes(out), "message " + (i + 1));
            }
        }
    }

    @Test
    void fetchmailDeliversEveryMessage() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            Path delivered = Files.createDirectories(dir.resolve("fetchmail"));
            Path rc = dir.resolve("fetchmailrc");
            Files.writeString(rc, """
                    set no syslog
                    poll 127.0.0.1 service %d protocol pop3 auth password no uidl
                      user "%s" password "%s" is "%s" here
                      keep no rewrite sslproto '' mda "/bin/sh -c 'cat > %s/$$'"
                    """.formatted(wrapper.port(), Pop3Dovecot.USER, Pop3Dovecot.PASSWORD,
                    System.getProperty("user.name"), delivered));
            Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
            Result r = run(List.of(Tools.require("fetchmail"), "-f", rc.toString(), "--nodetach", "-v",
                    "--pidfile", dir.resolve("fetchmail.pid").toString()));
            assertEquals(0, r.exit(), r.output() + wrapper.log());
            List<String> bodies = new ArrayList<>();
            try (Stream<Path> files = Files.list(delivered)) {
                for (Path f : files.toList()) {
                    bodies.add(Files.readString(f, StandardCharsets.ISO_8859_1).replace("\r\n", "\n"));
                }
            }
            assertEquals(3, bodies.size(), r.output());
            for (byte[] message : MESSAGES) {
                String body = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
                body = body.substring(body.indexOf("\n\n"));
                final String expected = body;
                assertTrue(bodies.stream().anyMatch(b -> b.endsWith(expected)), "a body did not arrive intact");
            }
        }
    }

    @Test
    void getmailDeliversEveryMessageToAMaildir() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            Path maildir = dir.resolve("getmail-maildir");
            boolean root = "root".equals(System.getProperty("user.name"));
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(maildir.resolve(sub));
                if (root) {
                    // getmail refuses to deliver as root: it delivers as nobody, who must write here
                    Files.setPosixFilePermissions(maildir.resolve(sub), PosixFilePermissions.fromString("rwxrwxrwx"));
                }
            }
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(maildir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path rc = dir.resolve("getmailrc");
            Files.writeString(rc, """
                    [retriever]
                    type = SimplePOP3Retriever
                    server = 127.0.0.1
                    port = %d
                    username = %s
                    password = %s
                    [destination]
                    type = Maildir
                    path = %s/
                    %s
                    [options]
                    delete = false
                    read_all = true
                    delivered_to = false
                    received = false
                    """.formatted(wrapper.port(), Pop3Dovecot.USER, Pop3Dovecot.PASSWORD, maildir,
                    root ? "user = nobody" : ""));
            Result r = run(List.of(Tools.require("getmail"), "--rcfile", rc.toString(), "--getmaildir",
                    Files.createDirectories(dir.resolve("getmail")).toString()));
            assertEquals(0, r.exit(), r.output() + wrapper.log());
            List<String> delivered = new ArrayList<>();
            try (Stream<Path> files = Files.list(maildir.resolve("new"))) {
                for (Path f : files.toList()) {
                    delivered.add(Files.readString(f, StandardCharsets.ISO_8859_1).replace("\r\n", "\n"));
                }
            }
            assertEquals(3, delivered.size(), r.output());
            for (byte[] message : MESSAGES) {
                String expected = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
                assertTrue(delivered.stream().anyMatch(d -> d.endsWith(expected.substring(expected.indexOf("\n\n")))),
                        "a message did not arrive intact");
            }
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrderAndOutOfStateOnesRefused() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            Result r = python(wrapper.port(), """
                    s = socket.create_connection(('127.0.0.1', PORT), timeout=20)
                    f = s.makefile('rb')
                    def line():
                        return f.readline().decode('latin-1').rstrip('\\r\\n')
                    def body():
                        lines = []
                        while True:
                            l = f.readline()
                            if l == b'.\\r\\n':
                                return lines
                            lines.append(l)
                    print('greeting', line()[:3])
                    s.sendall(b'STAT\\r\\nCAPA\\r\\n')
                    print('stat', line())
                    print('capa', line()[:3], len(body()))
                    s.sendall(('USER %s\\r\\nPASS %s\\r\\n' % (USER, PASSWORD)).encode())
                    print('user', line()[:3]); print('pass', line()[:3])
                    s.sendall(b'STAT\\r\\nLIST\\r\\nRETR 0\\r\\nRETR 1\\r\\nUIDL 1\\r\\nNOOP\\r\\nQUIT\\r\\n')
                    print('stat', line()[:3])
                    print('list', line()[:3], len(body()))
                    print('retr0', line())
                    print('retr1', line()[:3], len(body()))
                    print('uidl', line()[:3])
                    print('noop', line()[:3])
                    print('quit', line()[:3])
                    print('eof', f.read() == b'')
                    """);
            assertEquals(0, r.exit(), r.output() + wrapper.log());
            String expected = String.join("\n", "greeting +OK", "stat -ERR Command not valid in this state",
                    "capa +OK 8", "user +OK", "pass +OK", "stat +OK", "list +OK 3",
                    "retr0 -ERR Syntax error: RETR takes a message number", "retr1 +OK 10", "uidl +OK", "noop +OK",
                    "quit +OK", "eof True", "");
            assertEquals(expected, r.output());
            wrapper.awaitLine("rule=pop3.command.sequence");
        }
    }

    @Test
    void guessingPasswordsOverOneConnectionIsCutAfterThreeFailures() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            Result r = python(wrapper.port(), """
                    p = poplib.POP3('127.0.0.1', PORT, timeout=30)
                    for guess in ['a', 'b', 'c', 'd', PASSWORD]:
                        try:
                            p.user(USER); p.pass_(guess)
                            print('logged in with', guess)
                            break
                        except poplib.error_proto as e:
                            message = e.args[0]
                            message = message.decode() if isinstance(message, bytes) else message
                            if message == '-ERR EOF':
                                print('closed')
                                break
                            print('refused', message)
                        except OSError:
                            print('closed')
                            break
                    """);
            assertEquals(0, r.exit(), r.output() + wrapper.log());
            assertEquals(String.join("\n", "refused -ERR [AUTH] Authentication failed.",
                    "refused -ERR [AUTH] Authentication failed.",
                    "refused -ERR [AUTH] Too many failed logins, closing connection", "closed", ""), r.output());
            assertTrue(wrapper.awaitLine("rule=pop3.login.failures").contains("pop3.login.failures"));
        }
    }

    @Test
    void theHealthProbePassesAgainstDovecotWithTheDefaultChecks() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port(), 3, "    healthCheck: {}\n")) {
            String line = wrapper.awaitLine("backend=127.0.0.1:" + dovecot.port() + " check passed", 30_000);
            assertTrue(line.contains("POP3 greeting +OK, CAPA, QUIT"), line);
            assertTrue(!wrapper.log().contains("health UP -> DOWN"), wrapper.log());
        }
    }

    @Test
    void shutdownEndsAnIdleSessionWithSysTempAndDeletesNothing() throws Exception {
        try (Pop3Dovecot dovecot = Pop3Dovecot.start(dir, MESSAGES);
                Pop3Wrapper wrapper = Pop3Wrapper.start(dir, dovecot.port())) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", wrapper.port())) {
                socket.setSoTimeout(20_000);
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                var send = socket.getOutputStream();
                assertTrue(in.readLine().startsWith("+OK"));
                send.write(("USER " + Pop3Dovecot.USER + "\r\nPASS " + Pop3Dovecot.PASSWORD + "\r\nDELE 1\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                assertTrue(in.readLine().startsWith("+OK"));
                assertTrue(in.readLine().startsWith("+OK"));
                assertTrue(in.readLine().startsWith("+OK"), "DELE");
                Thread stopper = Thread.ofVirtual().start(() -> {
                    try {
                        wrapper.terminate();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertEquals("-ERR [SYS/TEMP] Server shutting down, try again later", in.readLine());
                assertEquals(null, in.readLine());
                stopper.join(15_000);
            }
            Result r = python(dovecot.port(), """
                    p = poplib.POP3('127.0.0.1', PORT, timeout=20)
                    p.user(USER); p.pass_(PASSWORD)
                    print(p.stat()[0])
                    p.quit()
                    """);
            assertEquals("3\n", r.output(), "the session never reached UPDATE: nothing deleted");
        }
    }

    private Result python(int port, String body) throws IOException, InterruptedException {
        return Pop3Clients.python(dir, port, body);
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        return Pop3Clients.run(dir, command);
    }
}

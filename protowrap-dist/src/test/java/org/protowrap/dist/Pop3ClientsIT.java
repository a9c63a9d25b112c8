package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail fetched through the image's {@code pop3} wrapper, with its documented defaults, from a
 * real Dovecot by real clients (Python poplib, curl, fetchmail, getmail6): every message arrives
 * byte-identical, lines that begin with dots included; pipelined commands are answered in order;
 * and guessing passwords over one connection is cut after the default three failures.
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

    private record Result(int exit, String output) {}

    /** Runs a Python 3 snippet with PORT, USER, PASSWORD and OUT (a directory) defined. */
    private Result python(int port, String body) throws IOException, InterruptedException {
        Path out = Files.createDirectories(dir.resolve("out"));
        String script = "import poplib, socket\nPORT = %d\nUSER = '%s'\nPASSWORD = '%s'\nOUT = '%s'\n"
                .formatted(port, Pop3Dovecot.USER, Pop3Dovecot.PASSWORD, out) + body;
        Path file = dir.resolve("client.py");
        Files.writeString(file, script);
        return run(List.of(Tools.require("python3"), file.toString()));
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(output);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
        reader.join(5000);
        return new Result(p.exitValue(), output.toString(StandardCharsets.ISO_8859_1));
    }
}

package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.testkit.Eventually;

/**
 * The client's address end to end through the image to Postfix's smtpd with
 * {@code smtpd_upstream_proxy_protocol = haproxy}: smtplib from 127.0.0.2 through a wrapper
 * sending PROXY v2, from 127.0.0.3 through one sending v1, and from 127.0.0.4 through HAProxy
 * sending v2 to a wrapper that trusts it and sends v2 on. Postfix's own log names each message's
 * client. The wrappers' health checks pass through the same smtpd: a v2 LOCAL header, and a v1
 * header naming the check's own socket (Postfix refuses {@code PROXY UNKNOWN} with 421).
 */
@Timeout(60)
class SmtpProxyProtocolIT {

    @TempDir
    Path dir;

    @Test
    void postfixSeesTheOriginalClientThroughV2V1AndHaproxy() throws Exception {
        int v2Port = SmtpPorts.unused();
        int v1Port = SmtpPorts.unused();
        int edgePort = SmtpPorts.unused();
        int haproxyPort = SmtpPorts.unused();
        try (Postfix postfix = Postfix.start(dir.resolve("postfix"));
                ExternalProcess protowrap = ProtowrapImage.run(dir, """
                        allowRoot: true
                        shutdownGrace: 1s
                        wrappers:
                          - name: mail-v2
                            protocol: smtp
                            listenAddr: 127.0.0.1
                            listenPort: %1$d
                            destAddr: 127.0.0.1:%4$d
                            sendProxy: v2
                            healthCheck: {interval: 1s}
                          - name: mail-v1
                            protocol: smtp
                            listenAddr: 127.0.0.1
                            listenPort: %2$d
                            destAddr: 127.0.0.1:%4$d
                            sendProxy: v1
                            healthCheck: {interval: 1s}
                          - name: mail-edge
                            protocol: smtp
                            listenAddr: 127.0.0.1
                            listenPort: %3$d
                            destAddr: 127.0.0.1:%4$d
                            proxyProtocol: {trusted: [127.0.0.1]}
                            sendProxy: v2
                        """.formatted(v2Port, v1Port, edgePort, postfix.port()), v2Port, v1Port, edgePort);
                ExternalProcess haproxy = haproxy(haproxyPort, edgePort)) {
            send("127.0.0.2", v2Port, "v2");
            send("127.0.0.3", v1Port, "v1");
            send("127.0.0.4", haproxyPort, "edge");

            assertEquals("127.0.0.2", postfix.clientOf("v2"), postfix.log());
            assertEquals("127.0.0.3", postfix.clientOf("v1"), postfix.log());
            assertEquals("127.0.0.4", postfix.clientOf("edge"), postfix.log());

            // the health checks' headers keep the connection's own address and pass
            postfix.awaitLog(Pattern.compile("disconnect from \\S+\\[127\\.0\\.0\\.1] ehlo=1 quit=1 commands=2"));
            // only the test's own probe for the listening port, which closes without a header
            String log = postfix.log();
            assertFalse(log.lines().anyMatch(l -> l.contains("warning: haproxy") && !l.endsWith("haproxy read: EOF")),
                    "Postfix refused a PROXY header:\n" + log);
            // the edge wrapper took the client from HAProxy's header too (access lines are written in batches)
            Eventually.await(Duration.ofSeconds(10), () -> protowrap.output().lines()
                    .filter(l -> l.contains("wrapper=mail-edge ") && l.contains(" client=127.0.0.4:") && l.contains(" messages=1"))
                    .findFirst(), () -> "no access line for the edge client:\n" + protowrap.output());
        }
    }

    /** smtplib from {@code from} to 127.0.0.1:{@code port}: one message whose Message-Id is {@code <tag@client.example>}. */
    private void send(String from, int port, String tag) throws IOException, InterruptedException {
        String script = """
                import smtplib, sys
                message = ("Message-Id: <%s@client.example>\\r\\nSubject: proxied\\r\\n\\r\\nbody\\r\\n" % sys.argv[3]).encode()
                with smtplib.SMTP("127.0.0.1", int(sys.argv[2]), local_hostname="client.example", timeout=20,
                                  source_address=(sys.argv[1], 0)) as s:
                    print("refused:", s.sendmail("a@example.org", ["b@example.org"], message))
                """;
        Process p = new ProcessBuilder(SmtpServers.SYSTEM_PYTHON, "-c", script, from, Integer.toString(port), tag)
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("refused: {}"), out);
    }

    private ExternalProcess haproxy(int port, int wrapperPort) throws IOException, InterruptedException {
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, """
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                listen edge
                    bind 127.0.0.1:%d
                    server protowrap 127.0.0.1:%d send-proxy-v2
                """.formatted(port, wrapperPort));
        return ExternalProcess.start("haproxy", dir, List.of(Tools.require("haproxy"), "-db", "-f", config.toString()))
                .awaitPort(port);
    }

    /**
     * A throwaway Postfix: its own configuration, queue and data directories under {@code home},
     * smtpd on 127.0.0.1 only, behind {@code smtpd_upstream_proxy_protocol = haproxy}, logging
     * to a file there, and discarding what it accepts. Its master runs in the foreground as the
     * test's child; closing stops it with {@code postfix stop}, then by signal if need be.
     */
    private static final class Postfix implements AutoCloseable {

        private static final Duration WAIT = Duration.ofSeconds(15);

        private final Path home;
        private final int port;
        private final ExternalProcess master;

        private Postfix(Path home, int port, ExternalProcess master) {
            this.home = home;
            this.port = port;
            this.master = master;
        }

        static Postfix start(Path home) throws IOException, InterruptedException {
            assertEquals("root", System.getProperty("user.name"), "Postfix's master runs as root only");
            Path etc = Files.createDirectories(home.resolve("etc"));
            Files.createDirectories(home.resolve("spool"));
            SmtpServers.letEveryoneThrough(home);
            int port = SmtpPorts.unused();
            Files.writeString(etc.resolve("main.cf"), """
                    compatibility_level = 3.6
                    config_directory = @HOME@/etc
                    queue_directory = @HOME@/spool
                    data_directory = @HOME@/data
                    maillog_file = @HOME@/maillog
                    maillog_file_prefixes = @HOME@
                    inet_interfaces = loopback-only
                    inet_protocols = ipv4
                    myhostname = postfix.example
                    mydestination =
                    mynetworks = 127.0.0.0/8
                    alias_maps =
                    alias_database =
                    smtpd_peername_lookup = no
                    default_transport = discard
                    smtpd_upstream_proxy_protocol = haproxy
                    """.replace("@HOME@", home.toString()));
            Files.writeString(etc.resolve("master.cf"), """
                    127.0.0.1:@PORT@ inet n - n - - smtpd
                    pickup    unix  n - n 60 1 pickup
                    cleanup   unix  n - n -  0 cleanup
                    qmgr      unix  n - n 300 1 qmgr
                    rewrite   unix  - - n -  - trivial-rewrite
                    bounce    unix  - - n -  0 bounce
                    defer     unix  - - n -  0 bounce
                    trace     unix  - - n -  0 bounce
                    verify    unix  - - n -  1 verify
                    flush     unix  n - n 1000? 0 flush
                    proxymap  unix  - - n -  - proxymap
                    showq     unix  n - n -  - showq
                    error     unix  - - n -  - error
                    retry     unix  - - n -  - error
                    discard   unix  - - n -  - discard
                    anvil     unix  - - n -  1 anvil
                    scache    unix  - - n -  1 scache
                    postlog   unix-dgram n - n - 1 postlogd
                    """.replace("@PORT@", Integer.toString(port)));
            // creates the queue's and the data directory with their owners and modes
            String check = postfix(home, "check");
            ExternalProcess master = ExternalProcess.start("postfix", home,
                    List.of(Tools.require("postfix"), "-c", etc.toString(), "start-fg"));
            Postfix postfix = new Postfix(home, port, master);
            try {
                master.awaitPort(port);
            } catch (AssertionError e) {
                postfix.close();
                throw new AssertionError(e.getMessage() + "\npostfix check:\n" + check + "\nmaillog:\n" + postfix.log(), e);
            }
            return postfix;
        }

        int port() {
            return port;
        }

        String log() {
            try {
                Path file = home.resolve("maillog");
                return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
            } catch (IOException e) {
                return "(no maillog: " + e + ")";
            }
        }

        /** Waits until a line of the log matches {@code pattern}; fails if none does in time. */
        Matcher awaitLog(Pattern pattern) throws InterruptedException {
            return Eventually.await(WAIT, () -> log().lines().map(pattern::matcher).filter(Matcher::find).findFirst(),
                    () -> "no line matching " + pattern + " in Postfix's log:\n" + log());
        }

        /** The address smtpd logged as the client of the message {@code <tag@client.example>}. */
        String clientOf(String tag) throws InterruptedException {
            String queueId = awaitLog(Pattern.compile(": (\\w+): message-id=<" + Pattern.quote(tag) + "@client\\.example>"))
                    .group(1);
            return awaitLog(Pattern.compile("smtpd\\[\\d+]: " + queueId + ": client=\\S*\\[([^]]+)]")).group(1);
        }

        /** {@code postfix stop}, then the master and whatever it left, by signal. */
        @Override
        public void close() throws InterruptedException {
            try {
                postfix(home, "stop");
            } catch (IOException | AssertionError e) {
                // the signals below stop it
            }
            readPid().flatMap(ProcessHandle::of)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/master")).orElse(false))
                    .ifPresent(h -> {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            });
            master.close();
        }

        private Optional<Long> readPid() {
            try {
                return Optional.of(Long.parseLong(Files.readString(home.resolve("spool/pid/master.pid")).strip()));
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        /** Runs {@code postfix -c ETC command} to completion; its output. */
        private static String postfix(Path home, String command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(Tools.require("postfix"), "-c", home.resolve("etc").toString(), command)
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("postfix " + command + " did not finish: " + out);
            }
            return out;
        }
    }
}

package org.protowrap.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real SMTP clients of the tests, run to completion: swaks, Postfix's smtp-source, Python's
 * smtplib, and Exim as a sending MTA.
 */
final class SmtpClients {

    private static final long RUN_TIMEOUT_SECONDS = 60;

    /** Where scripts/install-test-tools unpacks Exim: its package conflicts with Postfix's. */
    private static final Path EXIM = Path.of("/opt/protowrap-test-tools/exim4/usr/sbin/exim4");

    private SmtpClients() {}

    /** How a client run ended: its exit code and everything it printed. */
    record Run(int exit, String output) {}

    /** swaks to 127.0.0.1:{@code port}, from a@example.org to b@example.org unless {@code args} say otherwise. */
    static Run swaks(Path dir, int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("swaks"), "--server", "127.0.0.1:" + port,
                "--helo", "client.example", "--from", "a@example.org", "--to", "b@example.org", "--timeout", "20"));
        command.addAll(List.of(args));
        return run(dir, "swaks", command);
    }

    /** smtp-source to 127.0.0.1:{@code port} with {@code args}. */
    static Run smtpSource(Path dir, int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("smtp-source")));
        command.addAll(List.of(args));
        command.add("127.0.0.1:" + port);
        return run(dir, "smtp-source", command);
    }

    /**
     * Python's smtplib to 127.0.0.1:{@code port}: EHLO, then {@code sendmail} of {@code message}
     * (already CRLF-terminated lines, sent as bytes) from a@example.org to b@example.org, QUIT.
     */
    static Run smtplib(Path dir, int port, byte[] message) throws IOException, InterruptedException {
        Path input = Files.write(Files.createTempFile(dir, "smtplib", ".eml"), message);
        String script = """
                import smtplib, sys
                with open(sys.argv[2], "rb") as f:
                    message = f.read()
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example", timeout=20) as s:
                    s.set_debuglevel(1)
                    print("refused:", s.sendmail("a@example.org", ["b@example.org"], message))
                """;
        return run(dir, "smtplib", List.of(SmtpServers.SYSTEM_PYTHON, "-c", script, Integer.toString(port),
                input.toString()));
    }

    /**
     * The same with {@code starttls()} after EHLO, verifying the server's certificate against
     * {@code ca} and the name 127.0.0.1; it prints {@code cipher:} and what it negotiated.
     */
    static Run smtplibStartTls(Path dir, int port, Path ca, byte[] message) throws IOException, InterruptedException {
        Path input = Files.write(Files.createTempFile(dir, "smtplib", ".eml"), message);
        String script = """
                import smtplib, ssl, sys
                with open(sys.argv[2], "rb") as f:
                    message = f.read()
                context = ssl.create_default_context(cafile=sys.argv[3])
                with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="client.example", timeout=20) as s:
                    s.set_debuglevel(1)
                    s.starttls(context=context)
                    print("cipher:", s.sock.cipher())
                    print("refused:", s.sendmail("a@example.org", ["b@example.org"], message))
                """;
        return run(dir, "smtplib", List.of(SmtpServers.SYSTEM_PYTHON, "-c", script, Integer.toString(port),
                input.toString(), ca.toString()));
    }

    /**
     * Exim as the sending MTA, with CHUNKING and PIPELINING used where offered (its defaults):
     * {@code message} is queued for b@example.org, then one queue run delivers it to
     * 127.0.0.1:{@code port}. The output ({@code -v}) holds the SMTP dialogue and the delivery
     * log lines ({@code =>} delivered, {@code ==} deferred, {@code **} failed). Exim runs with
     * its own configuration and spool in {@code dir}; as root it runs as nobody, because Exim
     * never delivers as root. It cannot re-execute itself from where it was
     * unpacked, so each delivery is a queue run rather than an immediate one.
     */
    static Run exim(Path dir, int port, byte[] message) throws IOException, InterruptedException {
        return exim(dir, port, message, "");
    }

    /**
     * Exim as above, requiring STARTTLS and a certificate issued by {@code ca} (its chain is
     * checked; Exim's name check is left out, as the route names the server by its address).
     */
    static Run eximStartTls(Path dir, int port, byte[] message, Path ca) throws IOException, InterruptedException {
        Path home = Files.createDirectories(dir.resolve("exim"));
        Path trusted = Files.copy(ca, home.resolve("ca.pem"));
        Files.setPosixFilePermissions(trusted, PosixFilePermissions.fromString("rw-r--r--"));
        return exim(dir, port, message, """
                  hosts_require_tls = *
                  tls_verify_hosts = *
                  tls_verify_certificates = %s
                  tls_verify_cert_hostnames =
                """.formatted(trusted));
    }

    private static Run exim(Path dir, int port, byte[] message, String transportOptions)
            throws IOException, InterruptedException {
        if (!Files.isExecutable(EXIM)) {
            throw new AssertionError(EXIM + " is missing; run scripts/install-test-tools (as root)");
        }
        boolean root = "root".equals(System.getProperty("user.name"));
        Path home = Files.createDirectories(dir.resolve("exim"));
        Path spool = Files.createDirectories(home.resolve("spool"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(spool, PosixFilePermissions.fromString("rwxrwxrwx"));
        SmtpServers.letEveryoneThrough(home);
        String user = root ? "nobody" : System.getProperty("user.name");
        // the spool's files are given to Exim's user and group: one the user is in
        String group = root ? "nogroup"
                : ((GroupPrincipal) Files.getAttribute(home, "posix:group")).getName();
        Path config = Files.writeString(home.resolve("exim.conf"), """
                spool_directory = %1$s
                exim_user = %2$s
                exim_group = %4$s
                primary_hostname = client.example
                keep_environment =
                begin routers
                wrapper:
                  driver = manualroute
                  route_list = * 127.0.0.1::%3$d byname
                  self = send
                  transport = wrapper_smtp
                begin transports
                wrapper_smtp:
                  driver = smtp
                  allow_localhost
                %5$sbegin retry
                * * F,1m,1m
                """.formatted(spool, user, port, group, transportOptions));
        List<String> exim = new ArrayList<>(root ? List.of("runuser", "-u", "nobody", "--") : List.of());
        exim.addAll(List.of(EXIM.toString(), "-C", config.toString()));
        Path input = Files.write(Files.createTempFile(home, "message", ".eml"), message);
        List<String> queue = new ArrayList<>(exim);
        queue.addAll(List.of("-odq", "-f", "a@example.org", "b@example.org"));
        Run queued = run(home, "exim-queue", queue, input);
        if (queued.exit() != 0) {
            return queued;
        }
        List<String> deliver = new ArrayList<>(exim);
        deliver.addAll(List.of("-qff", "-v"));
        return run(home, "exim-deliver", deliver);
    }

    private static Run run(Path dir, String name, List<String> command) throws IOException, InterruptedException {
        return run(dir, name, command, Path.of("/dev/null"));
    }

    private static Run run(Path dir, String name, List<String> command, Path input)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, name, ".out");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                .redirectInput(input.toFile()).start();
        if (!process.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(name + " did not finish in " + RUN_TIMEOUT_SECONDS + " s; its output:\n"
                    + Files.readString(output, StandardCharsets.ISO_8859_1));
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.ISO_8859_1));
    }
}

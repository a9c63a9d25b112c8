package org.protowrap.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A real Dovecot POP3 server on loopback with a throwaway configuration, base directory and
 * maildir store, all under the test's directory. As root, Dovecot's own unprivileged users run
 * its processes and own the store (it never gives mail access to root); as anyone else, every
 * process runs as that user, without chroot, as a rootless Dovecot must.
 */
final class Pop3Dovecot implements AutoCloseable {

    static final String USER = "alice";
    static final String PASSWORD = "wonderland";

    private final int port;
    private final ExternalProcess process;

    private Pop3Dovecot(int port, ExternalProcess process) {
        this.port = port;
        this.process = process;
    }

    /** Starts Dovecot with {@code messages} (raw RFC 5322 bytes, CRLF line ends) in the user's maildir. */
    static Pop3Dovecot start(Path dir, List<byte[]> messages) throws IOException, InterruptedException {
        String dovecot = Tools.require("dovecot");
        Path home = dir.resolve("dovecot");
        Path maildir = home.resolve("mail").resolve(USER);
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(maildir.resolve(sub));
        }
        for (int i = 0; i < messages.size(); i++) {
            // Named with increasing times so that Dovecot numbers them in this order.
            Files.write(maildir.resolve("new").resolve((1_700_000_000L + i) + ".M" + i + "P1.test"), messages.get(i));
        }
        Files.writeString(home.resolve("passwd"), USER + ":{PLAIN}" + PASSWORD + "\n");
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            // Dovecot's users must reach the store through the test's private directories.
            for (Path p = home; p != null && p.startsWith(dir); p = p.getParent()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            run(List.of("chown", "-R", "dovecot:dovecot", home.resolve("mail").toString()));
        }
        int port = SmtpPorts.unused();
        Path config = home.resolve("dovecot.conf");
        Files.writeString(config, config(home, port, root), StandardCharsets.UTF_8);
        ExternalProcess process = ExternalProcess.start("dovecot", dir, List.of(dovecot, "-F", "-c", config.toString()));
        process.awaitPort(port);
        return new Pop3Dovecot(port, process);
    }

    private static String config(Path home, int port, boolean root) {
        String me = System.getProperty("user.name");
        return """
                base_dir = %1$s/run
                state_dir = %1$s/state
                log_path = /dev/stderr
                instance_name = protowrap-test-%2$d
                protocols = pop3
                listen = 127.0.0.1
                ssl = no
                disable_plaintext_auth = no
                auth_mechanisms = plain login
                default_internal_user = %3$s
                default_internal_group = %4$s
                default_login_user = %5$s
                first_valid_uid = 1
                mail_location = maildir:%1$s/mail/%%u
                pop3_uidl_format = %%08Xu%%08Xv
                passdb {
                  driver = passwd-file
                  args = scheme=PLAIN username_format=%%u %1$s/passwd
                }
                userdb {
                  driver = static
                  args = uid=%3$s gid=%4$s home=%1$s/mail/%%u
                }
                service pop3-login {
                  chroot =
                  inet_listener pop3 {
                    address = 127.0.0.1
                    port = %2$d
                  }
                }
                service anvil {
                  chroot =
                }
                """.formatted(home, port, root ? "dovecot" : me, root ? "dovecot" : group(me),
                root ? "dovenull" : me);
    }

    private static String group(String user) {
        try {
            Process p = new ProcessBuilder("id", "-gn", user).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            return out;
        } catch (IOException e) {
            return user;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return user;
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(command + " failed: " + out);
        }
    }

    int port() {
        return port;
    }

    String log() {
        return process.output();
    }

    @Override
    public void close() throws InterruptedException {
        process.close();
    }
}

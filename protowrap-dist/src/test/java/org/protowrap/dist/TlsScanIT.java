package org.protowrap.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * testssl.sh against an {@code http} wrapper with the TLS defaults (only a certificate and its
 * key given): no HIGH or CRITICAL finding. The scan runs the checks that judge what the wrapper
 * chooses ({@link #CHECKS}); the checks of the certificate itself are left out, since they judge
 * the test's own authority (untrusted, 30 days, no revocation information), not the wrapper.
 */
@Timeout(300)
class TlsScanIT {

    /**
     * Protocols, cipher categories by strength, forward secrecy, and the protocol-level
     * vulnerabilities of a TLS stack (Heartbleed, CCS injection, ROBOT, renegotiation, CRIME). The
     * whole scan, and the other cipher-level vulnerability checks (POODLE, SWEET32, FREAK, DROWN,
     * LOGJAM, BEAST, LUCKY13, RC4), take several minutes on a small busy machine; they find
     * nothing the checks here do not (every version and suite they look for is refused).
     */
    private static final List<String> CHECKS = List.of("--protocols", "--std", "--fs", "--heartbleed",
            "--ccs-injection", "--robot", "--renegotiation", "--crime");

    private static final Set<String> REFUSED = Set.of("SSLv2", "SSLv3", "TLS1", "TLS1_1");

    @TempDir
    Path dir;

    @Test
    void findsNothingHighOrCriticalInTheDefaults() throws Exception {
        TlsCertificates authority = TlsCertificates.authority(dir.resolve("certificates"));
        TlsCertificates.Issued web = authority.issue("web", "localhost", "127.0.0.1");
        int port = Ports.free();
        long started = System.nanoTime();
        try (HttpNginx nginx = HttpNginx.start(Files.createDirectories(dir.resolve("nginx")));
                ExternalProcess protowrap = ProtowrapImage.run(dir, """
                        allowRoot: true
                        wrappers:
                          - name: web
                            protocol: http
                            listenAddr: 127.0.0.1
                            listenPort: %d
                            destAddr: 127.0.0.1:%d
                            tls: {certificate: %s, key: %s}
                        """.formatted(port, nginx.port(), web.certificate(), web.key()), port)) {
            Path json = dir.resolve("testssl.json");
            List<String> command = new ArrayList<>(List.of(Tools.require("testssl"), "--quiet", "--color", "0",
                    "--warnings", "batch", "--jsonfile", json.toString()));
            command.addAll(CHECKS);
            command.add("127.0.0.1:" + port);
            Path output = dir.resolve("testssl.txt");
            Process testssl = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            assertTrue(testssl.waitFor(280, TimeUnit.SECONDS), "testssl did not finish:\n" + Files.readString(output));

            List<JsonNode> findings = StreamSupport.stream(new ObjectMapper().readTree(json.toFile()).spliterator(),
                    false).toList();
            List<String> severe = findings.stream()
                    .filter(f -> Set.of("HIGH", "CRITICAL").contains(f.path("severity").asText()))
                    .map(f -> f.path("id").asText() + ": " + f.path("finding").asText()).toList();
            assertEquals(List.of(), severe, Files.readString(output));
            Map<String, String> protocols = new java.util.TreeMap<>();
            findings.stream().filter(f -> REFUSED.contains(f.path("id").asText()) || f.path("id").asText()
                    .startsWith("TLS1_")).forEach(f -> protocols.put(f.path("id").asText(), f.path("finding").asText()));
            for (String refused : REFUSED) {
                assertTrue(protocols.getOrDefault(refused, "").startsWith("not offered"), protocols.toString());
            }
            assertTrue(protocols.getOrDefault("TLS1_2", "").startsWith("offered"), protocols.toString());
            assertTrue(protocols.getOrDefault("TLS1_3", "").startsWith("offered"), protocols.toString());
            System.out.printf("testssl %s: %d findings, none HIGH or CRITICAL, in %d s%n", String.join(" ", CHECKS),
                    findings.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        }
    }
}

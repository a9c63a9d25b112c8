package org.protowrap.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.protowrap.engine.testing.TestCertificates;
import org.protowrap.engine.testing.TestCertificates.Issued;

/** The {@code tls} and {@code destTls} sections: files read at load time, problems located, warnings given. */
class TlsConfigTest {

    @TempDir
    static Path certificates;

    private static TestCertificates ca;
    private static Issued good;
    private static Issued expiring;
    private static Issued otherKey;

    @TempDir
    Path dir;

    @BeforeAll
    static void issue() throws Exception {
        ca = TestCertificates.authority(certificates);
        good = ca.issue("good", List.of("localhost"), "EC", 60);
        expiring = ca.issue("expiring", List.of("localhost"), "RSA", 5);
        otherKey = ca.issue("other", List.of("localhost"), "EC", 60);
    }

    private Configuration load(String tls) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, """
                wrappers:
                  - name: w
                    protocol: line
                    listenPort: 9000
                    destAddr: 127.0.0.1:9001
                """ + tls.indent(4));
        return ConfigLoader.forHome(dir).load(file);
    }

    private ConfigException problems(String tls) {
        return assertThrows(ConfigException.class, () -> load(tls));
    }

    @Test
    void aCertificateAndItsKeyAreLoaded() throws Exception {
        Configuration c = load("tls: {certificate: %s, key: %s}".formatted(good.certificate(), good.key()));
        WrapperConfig w = c.wrappers().getFirst().config();
        assertEquals(TlsConfig.Mode.IMPLICIT, w.tls().orElseThrow().mode());
        assertTrue(c.wrappers().getFirst().clientTls().isPresent());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void relativeFilesAreFoundBesideTheConfiguration() throws Exception {
        Files.copy(good.certificate(), dir.resolve("cert.pem"));
        Files.copy(good.key(), dir.resolve("key.pem"));
        Files.setPosixFilePermissions(dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
        assertTrue(load("tls: {certificate: cert.pem, key: key.pem}").wrappers().getFirst().clientTls().isPresent());
    }

    @Test
    void aMissingFileIsALocatedProblem() {
        ConfigException e = problems("tls: {certificate: nothere.pem, key: %s}".formatted(good.key()));
        String text = e.problems().toString();
        assertTrue(text.contains("p.yaml:6:") && text.contains("wrappers[0].tls") && text.contains("no such file"),
                text);
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        String text = problems("tls: {certificate: %s, key: %s}".formatted(good.certificate(), otherKey.key()))
                .problems().toString();
        assertTrue(text.contains("does not belong to the certificate"), text);
        assertTrue(text.contains("wrappers[0].tls.key: "), "named under the key's own setting: " + text);
    }

    @Test
    void oldProtocolsAreRefused() {
        String text = problems("tls: {certificate: %s, key: %s, protocols: [TLSv1.1]}".formatted(good.certificate(),
                good.key())).problems().toString();
        assertTrue(text.contains("wrappers[0].tls.protocols") && text.contains("TLSv1.1"), text);
    }

    @Test
    void aCertificateThatExpiresSoonAndAKeyOthersMayReadAreWarnings() throws Exception {
        Files.setPosixFilePermissions(expiring.key(), PosixFilePermissions.fromString("rw-r--r--"));
        Configuration c = load("tls: {certificate: %s, key: %s}".formatted(expiring.certificate(), expiring.key()));
        assertEquals(2, c.warnings().size(), c.warnings()::toString);
        assertTrue(c.warnings().get(0).contains("within 14 days"), c.warnings()::toString);
        assertTrue(c.warnings().get(1).contains("readable by every user"), c.warnings()::toString);
    }

    @Test
    void anRsaKeyInPkcs1FormIsRead() throws Exception {
        Path pkcs1 = dir.resolve("rsa1.key");
        Process openssl = new ProcessBuilder("openssl", "pkey", "-in", expiring.key().toString(), "-traditional",
                "-out", pkcs1.toString()).redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0, output);
        assertTrue(Files.readString(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
        Files.setPosixFilePermissions(pkcs1, PosixFilePermissions.fromString("rw-------"));
        Configuration c = load("tls: {certificate: %s, key: %s}".formatted(expiring.certificate(), pkcs1));
        assertTrue(c.wrappers().getFirst().clientTls().isPresent());
    }

    @Test
    void destTlsReadsItsAuthoritiesAndIsForTcpBackendsOnly() throws Exception {
        Configuration c = load("destTls: {ca: %s, serverName: backend.test}".formatted(ca.caFile()));
        assertTrue(c.wrappers().getFirst().backendTls().isPresent());
        String text = problems("destTls: {ca: missing-ca.pem}").problems().toString();
        assertTrue(text.contains("wrappers[0].destTls.ca") && text.contains("no such file"), text);
    }
}

package org.protowrap.engine.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate authority and server certificates it signs, made with the JDK's
 * {@code keytool} (no OpenSSL needed), written as the PEM files an operator configures, plus SSL
 * contexts for test clients and servers that use them.
 */
public final class TestCertificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final Path dir;
    private final Path caStore;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caStore = dir.resolve("ca.p12");
    }

    /** A new authority in {@code dir}; its certificate is {@code dir/ca.pem}. */
    public static TestCertificates authority(Path dir) throws IOException, InterruptedException {
        TestCertificates certificates = new TestCertificates(dir);
        certificates.keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=ProtoWrap Test CA", "-ext", "bc:c", "-validity", "30", "-keystore", certificates.caStore.toString());
        certificates.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", certificates.caStore.toString(),
                "-file", dir.resolve("ca.pem").toString());
        return certificates;
    }

    public Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** The server's files: a chain (its certificate, then the authority's) and its PKCS#8 key. */
    public record Issued(Path certificate, Path key, Path store) {}

    /**
     * A certificate for {@code names} (DNS names; IP addresses given as such) signed by this
     * authority, valid for {@code days}, with an RSA or EC key.
     */
    public Issued issue(String alias, List<String> names, String keyAlgorithm, int days)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path store = dir.resolve(alias + ".p12");
        keytool("-genkeypair", "-alias", alias, "-keyalg", keyAlgorithm, "-dname", "CN=" + names.getFirst(),
                "-validity", String.valueOf(days), "-keystore", store.toString());
        Path request = dir.resolve(alias + ".csr");
        keytool("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", request.toString());
        Path signed = dir.resolve(alias + ".signed.pem");
        List<String> san = names.stream().map(n -> n.chars().allMatch(c -> c == '.' || Character.isDigit(c))
                ? "ip:" + n : "dns:" + n).toList();
        keytool("-gencert", "-alias", "ca", "-keystore", caStore.toString(), "-infile", request.toString(), "-outfile",
                signed.toString(), "-rfc", "-validity", String.valueOf(days), "-ext", "san=" + String.join(",", san));
        Path certificate = dir.resolve(alias + ".pem");
        Files.writeString(certificate, Files.readString(signed) + Files.readString(caFile()));
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", caFile().toString(), "-keystore", store.toString());
        keytool("-importcert", "-alias", alias, "-file", certificate.toString(), "-keystore", store.toString());
        Path key = dir.resolve(alias + ".key");
        Files.writeString(key, pem("PRIVATE KEY", privateKey(store, alias).getEncoded()));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return new Issued(certificate, key, store);
    }

    /** A client context that trusts this authority. */
    public SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(caStore)) {
            trust.load(in, PASSWORD);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    /** A server context presenting {@code issued}. */
    public static SSLContext serverContext(Issued issued) throws IOException, GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(issued.store())) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    private static PrivateKey privateKey(Path store, String alias) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        return (PrivateKey) keys.getKey(alias, PASSWORD);
    }

    /** The leaf certificate of an issued chain, for assertions. */
    public static Certificate leaf(Issued issued) throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(issued.store())) {
            keys.load(in, PASSWORD);
        }
        return keys.getCertificateChain(keys.aliases().nextElement())[0];
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("-storepass", new String(PASSWORD), "-storetype", "PKCS12"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}

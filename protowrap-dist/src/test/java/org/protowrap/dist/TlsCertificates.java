package org.protowrap.dist;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test certificate authority in a folder, and server certificates it signs, made with the
 * {@code openssl} command as an operator would: each server gets a PEM chain and an unencrypted
 * PKCS#8 key, the files a wrapper's {@code tls} section names.
 */
final class TlsCertificates {

    private final Path dir;

    private TlsCertificates(Path dir) {
        this.dir = dir;
    }

    /** A new authority; its certificate is {@link #caFile()}. */
    static TlsCertificates authority(Path dir) throws IOException, InterruptedException {
        TlsCertificates certificates = new TlsCertificates(Files.createDirectories(dir));
        certificates.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", dir.resolve("ca.key").toString(), "-out", certificates.caFile().toString(), "-days", "30",
                "-subj", "/CN=ProtoWrap Test CA", "-addext", "basicConstraints=critical,CA:true",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return certificates;
    }

    Path caFile() {
        return dir.resolve("ca.pem");
    }

    /** A server's files: its chain (its certificate, then the authority's) and its key. */
    record Issued(Path certificate, Path key) {

        /** The base64 SHA-256 of the certificate's public key (SPKI), as Chromium's pin list takes it. */
        String spkiSha256() throws IOException, GeneralSecurityException {
            try (InputStream in = Files.newInputStream(certificate)) {
                X509Certificate leaf = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(leaf.getPublicKey().getEncoded());
                return Base64.getEncoder().encodeToString(digest);
            }
        }
    }

    /** A certificate for {@code names} (DNS names, and 127.0.0.1 as an IP address), valid 30 days, EC P-256. */
    Issued issue(String alias, String... names) throws IOException, InterruptedException {
        Path key = dir.resolve(alias + ".key");
        Path request = dir.resolve(alias + ".csr");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(),
                "-out", request.toString(), "-subj", "/CN=" + names[0]);
        List<String> san = new ArrayList<>();
        for (String name : names) {
            san.add(name.matches("[0-9.]+") ? "IP:" + name : "DNS:" + name);
        }
        Path extensions = dir.resolve(alias + ".ext");
        Files.writeString(extensions, "subjectAltName=" + String.join(",", san) + "\n"
                + "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n");
        Path signed = dir.resolve(alias + ".signed.pem");
        openssl("x509", "-req", "-in", request.toString(), "-CA", caFile().toString(), "-CAkey",
                dir.resolve("ca.key").toString(), "-CAcreateserial", "-days", "30", "-extfile", extensions.toString(),
                "-out", signed.toString());
        Path certificate = dir.resolve(alias + ".pem");
        Files.writeString(certificate, Files.readString(signed) + Files.readString(caFile()));
        return new Issued(certificate, key);
    }

    /** A client context that trusts only this authority. */
    SSLContext clientContext() throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(caFile())) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Tools.require("openssl")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new AssertionError("openssl " + String.join(" ", args) + " failed:\n" + out);
        }
    }
}

package org.protowrap.engine.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and private keys in PEM files, read with the JDK alone: certificate chains
 * ({@code CERTIFICATE} blocks, the server's first), and unencrypted private keys in PKCS#8
 * ({@code PRIVATE KEY}, RSA or EC, as OpenSSL 3 writes them) or PKCS#1 ({@code RSA PRIVATE KEY}).
 * Encrypted keys and SEC1 EC keys ({@code EC PRIVATE KEY}) are refused with the command that
 * converts them.
 */
public final class PemFiles {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
    /** DER of the AlgorithmIdentifier rsaEncryption with NULL parameters, for wrapping PKCS#1 in PKCS#8. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private PemFiles() {}

    /** The certificates of a PEM file, in file order. */
    public static List<X509Certificate> certificates(Path file) throws IOException, TlsFileException {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks(file)) {
                if (block.type().equals("CERTIFICATE")) {
                    chain.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
                }
            }
        } catch (CertificateException e) {
            throw new TlsFileException(file, "not a valid certificate: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new TlsFileException(file, "no certificate in it (a PEM file with -----BEGIN CERTIFICATE----- blocks)");
        }
        return chain;
    }

    /** The one private key of a PEM file. */
    public static PrivateKey privateKey(Path file) throws IOException, TlsFileException {
        List<Block> keys = blocks(file).stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
        if (keys.size() != 1) {
            throw new TlsFileException(file, keys.isEmpty() ? "no private key in it (a PEM file with -----BEGIN "
                    + "PRIVATE KEY-----)" : keys.size() + " private keys in it; one is expected");
        }
        Block key = keys.getFirst();
        byte[] pkcs8 = switch (key.type()) {
            case "PRIVATE KEY" -> key.der();
            case "RSA PRIVATE KEY" -> wrapPkcs1(key.der());
            case "ENCRYPTED PRIVATE KEY" -> throw new TlsFileException(file, "the key is encrypted; ProtoWrap reads "
                    + "unencrypted keys only (protect the file instead): openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem");
            default -> throw new TlsFileException(file, "a " + key.type() + " is not read; convert it to PKCS#8: "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pem");
        };
        for (String algorithm : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new TlsFileException(file, "the private key is not an RSA, EC or Ed25519 key this JDK can read");
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(Path file) throws IOException, TlsFileException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            try {
                blocks.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
            } catch (IllegalArgumentException e) {
                throw new TlsFileException(file, "a " + m.group(1) + " block is not valid base64");
            }
        }
        if (blocks.isEmpty()) {
            throw new TlsFileException(file, "not a PEM file (no -----BEGIN ...----- block)");
        }
        return blocks;
    }

    /** PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption, the key as an octet string. */
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = new byte[version.length + RSA_ALGORITHM.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(RSA_ALGORITHM, 0, body, version.length, RSA_ALGORITHM.length);
        System.arraycopy(octets, 0, body, version.length + RSA_ALGORITHM.length, octets.length);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        int n = content.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] out = new byte[1 + length.length + n];
        out[0] = (byte) tag;
        System.arraycopy(length, 0, out, 1, length.length);
        System.arraycopy(content, 0, out, 1 + length.length, n);
        return out;
    }
}

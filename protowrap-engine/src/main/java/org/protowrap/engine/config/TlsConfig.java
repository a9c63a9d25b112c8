package org.protowrap.engine.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.protowrap.engine.tls.ServerTls.CertificateFiles;

/**
 * A wrapper's {@code tls:} (towards its clients) and {@code destTls:} (towards its backends)
 * sections, as plain data. The fingerprints are of the files' contents, so that a reload after a
 * certificate was renewed in place sees the wrapper as changed and reads it again.
 */
public final class TlsConfig {

    private TlsConfig() {}

    /** When a client's TLS starts: from its first byte, or when the protocol's command asks for it. */
    public enum Mode { IMPLICIT, STARTTLS }

    /**
     * @param certificates the certificate chains and keys, the first the default (no SNI, no match)
     * @param mode implicit or starttls
     * @param protocols TLS versions offered
     * @param ciphers cipher suites offered, in order of preference
     * @param fingerprint SHA-256 of the files' contents
     */
    public record Client(List<CertificateFiles> certificates, Mode mode, List<String> protocols, List<String> ciphers,
            String fingerprint) {}

    /**
     * @param verify whether the backend's certificate is checked against {@code ca} and the name
     * @param ca trusted authorities (PEM); the JDK's own when absent
     * @param serverName the name sent in SNI and expected in the certificate; the backend's host when absent
     * @param fingerprint SHA-256 of the CA file's contents
     */
    public record Backend(boolean verify, Optional<Path> ca, Optional<String> serverName, String fingerprint) {}
}

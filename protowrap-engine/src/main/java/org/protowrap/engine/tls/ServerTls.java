package org.protowrap.engine.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * A wrapper's TLS towards its clients: its certificates (chosen by SNI), protocols, cipher suites
 * and application protocols (ALPN), read once from their files and shared by every connection,
 * each of which gets its own {@link SSLEngine}. Immutable; a reload reads the files again.
 */
public final class ServerTls {

    static {
        // a TLS 1.2 client may otherwise ask for renegotiation again and again, each costing the
        // server a handshake (a denial of service); read when the first server handshake starts
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    /** One certificate chain and its key, as configured. */
    public record CertificateFiles(Path certificate, Path key) {}

    private final SSLContext context;
    private final List<String> protocols;
    private final List<String> ciphers;
    private final List<String> applicationProtocols;
    private final List<List<X509Certificate>> chains;

    private ServerTls(SSLContext context, List<String> protocols, List<String> ciphers,
            List<String> applicationProtocols, List<List<X509Certificate>> chains) {
        this.context = context;
        this.protocols = protocols;
        this.ciphers = ciphers;
        this.applicationProtocols = applicationProtocols;
        this.chains = chains;
    }

    /**
     * Reads the certificates and keys and checks that each key belongs to its certificate.
     *
     * @param applicationProtocols ALPN names offered, the validator's; empty for none
     */
    public static ServerTls load(List<CertificateFiles> files, List<String> protocols, List<String> ciphers,
            List<String> applicationProtocols) throws IOException, TlsFileException {
        List<SniKeyManager.Entry> entries = new ArrayList<>();
        List<List<X509Certificate>> chains = new ArrayList<>();
        for (CertificateFiles f : files) {
            List<X509Certificate> chain = PemFiles.certificates(f.certificate());
            PrivateKey key = PemFiles.privateKey(f.key());
            KeyPairs.requireMatch(chain.getFirst(), key, f.key());
            entries.add(SniKeyManager.Entry.of("cert" + entries.size(), chain, key));
            chains.add(List.copyOf(chain));
        }
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new SniKeyManager(entries)}, null, null);
            List<String> supportedCiphers = List.of(context.getSupportedSSLParameters().getCipherSuites());
            return new ServerTls(context, List.copyOf(protocols),
                    ciphers.stream().filter(supportedCiphers::contains).toList(), List.copyOf(applicationProtocols),
                    List.copyOf(chains));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS is not usable", e);
        }
    }

    /** A server-side engine for one client connection. */
    public SSLEngine newEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols.toArray(String[]::new));
        parameters.setCipherSuites(ciphers.toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** The certificate chains, in configured order, for expiry checks and the status page. */
    public List<List<X509Certificate>> chains() {
        return chains;
    }
}
